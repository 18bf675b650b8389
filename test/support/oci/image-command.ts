import type { OciImage } from './oci-image-layout.js';

/** What a runtime starts for an image: entrypoint + arguments (or the image's Cmd), env, directory, user. */
export interface ImageCommand {
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  /** `uid:gid` as numbers; names would need the image's /etc/passwd. */
  user: { uid: number; gid: number };
}

/** The command a container of this image runs, as a kubelet would with `args` (Cmd when none). */
export function imageCommand(image: OciImage, args?: readonly string[]): ImageCommand {
  const argv = [...image.entrypoint, ...(args ?? image.cmd)];
  if (argv.length === 0) throw new Error('the image has neither Entrypoint nor Cmd, and no args were given');
  const env = Object.fromEntries(image.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const [uid = '0', gid = uid] = (image.user || '0').split(':');
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) throw new Error(`image user ${image.user} is not numeric uid:gid`);
  return { argv, env, workingDir: image.workingDir || '/', user: { uid: Number(uid), gid: Number(gid) } };
}
