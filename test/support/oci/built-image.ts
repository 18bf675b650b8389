import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** The image scripts/image.sh built: its OCI layout (NETMAP_IMAGE_LAYOUT, else .cache/image) and tag. */
export function builtImage(): { layoutDir: string; tag: string } {
  const link = process.env.NETMAP_IMAGE_LAYOUT || join(repoRoot, '.cache', 'image');
  if (!existsSync(join(link, 'index.json'))) {
    throw new Error(`no image at ${link}: run scripts/image.sh (scripts/setup.sh does) first`);
  }
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  return { layoutDir: realpathSync(link), tag: version };
}
