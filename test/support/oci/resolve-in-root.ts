import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

const maxLinks = 40;

/**
 * The host path of `path` inside the file system rooted at `root`, with symbolic links followed
 * as the container would see them: an absolute link target starts again at `root`, `..` stops
 * at it. Images link e.g. /var/run -> /run; following that on the host would leave the root.
 * Components that do not exist yet are kept as they are.
 */
export function resolveInRoot(root: string, path: string): string {
  const pending = path.split('/').filter((part) => part && part !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const host = join(root, ...resolved, part);
    let target: string | undefined;
    try {
      if (lstatSync(host).isSymbolicLink()) target = readlinkSync(host);
    } catch {
      // does not exist (yet): taken as a plain name
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > maxLinks) throw new Error(`too many symbolic links resolving ${path} in ${root}`);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((p) => p && p !== '.'));
  }
  return join(root, ...resolved);
}
