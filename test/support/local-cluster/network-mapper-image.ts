import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Why the local cluster cannot run network-mapper from its image; the main command prints the message as its one line. */
export class ImageUnavailableError extends Error {}

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The OCI layout of network-mapper's image (`.cache/image`, made by scripts/image.sh and cached
 * by content hash there), built first when it is not there. Never a fallback: without buildah
 * the local cluster does not start.
 */
export function networkMapperImageLayout(repoRoot: string): string {
  // scripts/setup.sh exports where scripts/image.sh put it; .cache/image links there too.
  const layout = process.env.NETMAP_IMAGE_LAYOUT || join(repoRoot, '.cache', 'image');
  const built = (): boolean => existsSync(join(layout, 'index.json'));
  if (built()) return layout;
  if (!onPath('buildah')) {
    throw new ImageUnavailableError('The network-mapper image cannot be built: buildah is not installed (apt-get install buildah), and the local cluster runs network-mapper only from its image.');
  }
  console.log('Building the network-mapper image (scripts/image.sh; cached by content hash)...');
  // image.sh prints the layout's path on stdout and its progress on stderr.
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'image.sh')], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0 || !built()) throw new ImageUnavailableError(`scripts/image.sh did not produce the image at ${layout} (exit ${result.status})`);
  return layout;
}
