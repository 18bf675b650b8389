import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import type { ImageCommand } from './image-command.js';

export interface RootfsRunOptions {
  /** Overrides the image's user (e.g. { uid: 0, gid: 0 } as a pod's runAsUser: 0 does). */
  user?: { uid: number; gid: number };
  /** Added to (and overriding) the image's environment. */
  env?: Record<string, string>;
  /** Mount the root file system read-only, as readOnlyRootFilesystem: true does. */
  readOnly?: boolean;
  /** Host files bind-mounted read-only into the root file system: { [pathInside]: hostPath }; the target must exist. */
  binds?: Record<string, string>;
  /**
   * Only these capabilities (e.g. ['net_raw', 'sys_ptrace']), as a pod's `drop: [ALL]` + `add`
   * leaves a root process; applied by the image's own setpriv (util-linux) after the chroot.
   */
  capabilities?: string[];
}

/**
 * The shell that runs inside a private mount namespace (`unshare --mount`, no fork: the command
 * keeps the child's pid and gets its signals): the host's /proc and
 * /dev bound in, the optional binds, the root made read-only if asked, then chroot as the user
 * (its gid the only group), into the working directory, exec of the command. The mounts vanish with the namespace.
 */
const script = String.raw`
set -e
root=$1; ro=$2; uid=$3; gid=$4; dir=$5; binds=$6; caps=$7; shift 7
mount --make-rprivate /
mount --bind "$root" "$root"
mount --rbind /proc "$root/proc"
mount --rbind /dev "$root/dev"
printf '%s' "$binds" | while IFS='	' read -r inside host; do
  [ -n "$inside" ] && mount --bind "$host" "$root$inside" && mount -o remount,bind,ro "$root$inside"
done
[ "$ro" = 1 ] && mount -o remount,bind,ro "$root"
if [ "$caps" = all ]; then
  exec chroot --userspec="$uid:$gid" --groups="$gid" "$root" /bin/sh -c 'cd "$0" && exec "$@"' "$dir" "$@"
fi
exec chroot --userspec="$uid:$gid" --groups="$gid" "$root" setpriv --bounding-set="-all$caps" --inh-caps="-all$caps" \
  /bin/sh -c 'cd "$0" && exec "$@"' "$dir" "$@"
`;

function argvFor(rootfs: string, command: ImageCommand, options: RootfsRunOptions): string[] {
  const user = options.user ?? command.user;
  const binds = Object.entries(options.binds ?? {}).map(([inside, host]) => `${inside}\t${host}\n`).join('');
  const caps = options.capabilities ? options.capabilities.map((c) => `,+${c}`).join('') : 'all';
  return ['--mount', 'sh', '-c', script, 'run-in-rootfs', rootfs, options.readOnly ? '1' : '0', String(user.uid), String(user.gid), command.workingDir, binds, caps, ...command.argv];
}

function envFor(command: ImageCommand, options: RootfsRunOptions): Record<string, string> {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...command.env, ...options.env };
}

/** Runs an image's command in an unpacked root file system (root only) and waits for it. */
export function runInRootfs(rootfs: string, command: ImageCommand, options: RootfsRunOptions = {}): SpawnSyncReturns<string> {
  return spawnSync('unshare', argvFor(rootfs, command, options), { env: envFor(command, options), encoding: 'utf8', timeout: 60_000 });
}

/** Starts an image's command in an unpacked root file system (root only); the caller stops it. */
export function startInRootfs(rootfs: string, command: ImageCommand, options: RootfsRunOptions = {}): ChildProcess {
  return spawn('unshare', argvFor(rootfs, command, options), { env: envFor(command, options), stdio: ['ignore', 'pipe', 'pipe'] });
}
