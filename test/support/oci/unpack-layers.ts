import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

/**
 * Applies image layers (tar, gzip or zstd, lowest first) onto `rootfs` as a container runtime
 * does: before a layer is extracted, its whiteouts delete what lower layers put there
 * (`.wh.<name>` one entry, `.wh..wh..opq` a whole directory's contents), and the whiteout files
 * themselves are not extracted. GNU tar (run as root) keeps owners, modes, links and devices,
 * which a JavaScript tar reader would have to re-implement.
 */
export function unpackLayers(layerPaths: readonly string[], rootfs: string): void {
  mkdirSync(rootfs, { recursive: true });
  // / of the container: every user must reach it (mkdtemp makes 0700 directories).
  chmodSync(rootfs, 0o755);
  for (const layer of layerPaths) {
    const entries = execFileSync('tar', ['-tf', layer], { encoding: 'utf8', maxBuffer: 256 << 20 }).split('\n').filter((e) => e !== '');
    for (const entry of entries) applyWhiteout(rootfs, posix.normalize(entry));
    execFileSync('tar', ['-xf', layer, '-C', rootfs, '--numeric-owner', '--same-owner', '--same-permissions', `--exclude=${whiteoutPrefix}*`], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

function applyWhiteout(rootfs: string, entry: string): void {
  const name = posix.basename(entry);
  if (!name.startsWith(whiteoutPrefix)) return;
  const dir = join(rootfs, dirname(entry));
  if (!inside(rootfs, dir)) throw new Error(`layer entry ${entry} points outside the root file system`);
  if (name === opaqueMarker) {
    // A directory no lower layer made has nothing to hide.
    if (!existsSync(dir)) return;
    for (const child of readdirSync(dir)) rmSync(join(dir, child), { recursive: true, force: true });
    return;
  }
  rmSync(join(dir, name.slice(whiteoutPrefix.length)), { recursive: true, force: true });
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}
