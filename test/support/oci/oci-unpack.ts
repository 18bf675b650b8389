import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { blobPath, type OciImage } from './oci-image-layout.js';
import { resolveInRoot } from './resolve-in-root.js';

const run = promisify(execFile);
const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';

/** One layer's whiteouts, as the OCI image spec defines them: paths to delete and directories to empty. */
export interface LayerWhiteouts {
  readonly deleted: readonly string[];
  readonly opaque: readonly string[];
}

/** Sorts a layer's member names (as `tar -t` lists them) into whiteouts; names with `..` are refused. */
export function layerWhiteouts(members: readonly string[]): LayerWhiteouts {
  const deleted: string[] = [];
  const opaque: string[] = [];
  for (const member of members) {
    const path = normalize(member.replace(/^\.?\/+/, '')).replace(/\/$/, '');
    if (path.split('/').includes('..')) throw new Error(`layer member ${JSON.stringify(member)} leaves the root`);
    const base = path.split('/').pop() ?? '';
    if (!base.startsWith(whiteoutPrefix)) continue;
    const parent = dirname(path) === '.' ? '' : dirname(path);
    if (base === opaqueMarker) opaque.push(parent);
    else deleted.push(parent ? `${parent}/${base.slice(whiteoutPrefix.length)}` : base.slice(whiteoutPrefix.length));
  }
  return { deleted, opaque };
}

/** Applies a layer's whiteouts to what the layers below it put in `root`, before the layer itself is extracted. */
function applyWhiteouts(root: string, whiteouts: LayerWhiteouts): void {
  for (const dir of whiteouts.opaque) {
    const target = resolveInRoot(root, dir);
    if (!existsSync(target)) continue;
    for (const entry of readdirSync(target)) rmSync(join(target, entry), { recursive: true, force: true });
  }
  // The parent is resolved inside the root; the whited-out entry itself is removed, not what it links to.
  for (const path of whiteouts.deleted) rmSync(join(resolveInRoot(root, dirname(path)), path.split('/').pop()!), { recursive: true, force: true });
}

/**
 * The image's root file system, unpacked once per manifest digest under `cacheDir` and shared by
 * every container of that image (each writes to its own overlay upper dir). GNU tar extracts the
 * layers (gzip or plain, owners and modes kept, `..` members refused); the whiteout files
 * themselves are not extracted.
 */
export async function unpackOciImage(image: OciImage, cacheDir: string): Promise<string> {
  const root = join(cacheDir, image.manifestDigest.replace(':', '-'));
  if (existsSync(root)) return root;
  mkdirSync(cacheDir, { recursive: true });
  const staging = `${root}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    for (const layer of image.layers) {
      const file = blobPath(image.layoutDir, layer.digest);
      const listing = await run('tar', ['-tf', file], { maxBuffer: 256 * 1024 * 1024 });
      applyWhiteouts(staging, layerWhiteouts(listing.stdout.split('\n').filter(Boolean)));
      await run('tar', ['-xf', file, '-C', staging, '--same-owner', '--same-permissions', '--numeric-owner', '--exclude=.wh.*', '--exclude=*/.wh.*'], { maxBuffer: 16 * 1024 * 1024 });
    }
    // Another cluster may have unpacked the same digest meanwhile: its copy is as good as ours.
    if (existsSync(root)) rmSync(staging, { recursive: true, force: true });
    else renameSync(staging, root);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`cannot unpack image ${image.manifestDigest} from ${image.layoutDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return root;
}
