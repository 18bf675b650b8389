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
  if (existsSync(join(layout, 'index.json'))) return layout;
  const missing = ['buildah', 'mmdebstrap'].filter((tool) => !onPath(tool));
  if (missing.length) {
    throw new ImageUnavailableError(`The network-mapper image cannot be built: ${missing.join(' and ')} missing (apt-get install buildah mmdebstrap); the local cluster runs network-mapper only from its image.`);
  }
  console.log('Building the network-mapper image (scripts/image.sh; cached by content hash)...');
  // image.sh prints the layout's path on stdout and its progress and errors on stderr.
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'image.sh')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const produced = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !existsSync(join(produced, 'index.json'))) throw new ImageUnavailableError(`scripts/image.sh did not produce the image (exit ${result.status})`);
  return produced;
}
