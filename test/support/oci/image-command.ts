import type { OciImageConfig } from './oci-layout.js';

/** What a runtime starts for an image: entrypoint + arguments (or the image's Cmd), env, directory, user. */
export interface ImageCommand {
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  /** `uid:gid` as numbers; names would need the image's /etc/passwd. */
  user: { uid: number; gid: number };
}

/** The command a container of this image runs, as a kubelet would with `args` (Cmd when none). */
export function imageCommand(config: OciImageConfig, args?: readonly string[]): ImageCommand {
  const c = config.config ?? {};
  const argv = [...(c.Entrypoint ?? []), ...(args ?? c.Cmd ?? [])];
  if (argv.length === 0) throw new Error('the image has neither Entrypoint nor Cmd, and no args were given');
  const env = Object.fromEntries((c.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const [uid = '0', gid = uid] = (c.User || '0').split(':');
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) throw new Error(`image user ${c.User} is not numeric uid:gid`);
  return { argv, env, workingDir: c.WorkingDir || '/', user: { uid: Number(uid), gid: Number(gid) } };
}
