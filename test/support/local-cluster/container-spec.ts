import type { V1Container, V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/** Linux capability numbers (linux/capability.h), by the names Kubernetes uses without CAP_. */
const capabilityNumbers: Record<string, number> = {
  CHOWN: 0, DAC_OVERRIDE: 1, DAC_READ_SEARCH: 2, FOWNER: 3, FSETID: 4, KILL: 5, SETGID: 6, SETUID: 7, SETPCAP: 8,
  LINUX_IMMUTABLE: 9, NET_BIND_SERVICE: 10, NET_BROADCAST: 11, NET_ADMIN: 12, NET_RAW: 13, IPC_LOCK: 14, IPC_OWNER: 15,
  SYS_MODULE: 16, SYS_RAWIO: 17, SYS_CHROOT: 18, SYS_PTRACE: 19, SYS_PACCT: 20, SYS_ADMIN: 21, SYS_BOOT: 22, SYS_NICE: 23,
  SYS_RESOURCE: 24, SYS_TIME: 25, SYS_TTY_CONFIG: 26, MKNOD: 27, LEASE: 28, AUDIT_WRITE: 29, AUDIT_CONTROL: 30, SETFCAP: 31,
  MAC_OVERRIDE: 32, MAC_ADMIN: 33, SYSLOG: 34, WAKE_ALARM: 35, BLOCK_SUSPEND: 36, AUDIT_READ: 37, PERFMON: 38, BPF: 39,
  CHECKPOINT_RESTORE: 40,
};

/** The set containerd (and CRI-O, with small differences) gives a container that asks for nothing. */
const runtimeDefaultCapabilities = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** Why a container cannot be started although its image is there: a kubelet's CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

function capabilityName(raw: string): string {
  const name = raw.toUpperCase().replace(/^CAP_/, '');
  if (name !== 'ALL' && capabilityNumbers[name] === undefined) throw new ContainerConfigError(`unknown capability ${raw}`);
  return name;
}

function mask(names: Iterable<string>): bigint {
  let bits = 0n;
  for (const name of names) bits |= 1n << BigInt(capabilityNumbers[name]!);
  return bits;
}

/**
 * The container's capabilities as masks for container-exec: the runtime's default set minus
 * `drop` plus `add` (`ALL` in either means all), everything when privileged. Root gets the set
 * as its permitted and effective capabilities; a non-root user gets the explicitly added ones
 * as ambient capabilities (containerd gives a non-root user none: see docs/local-cluster.md).
 */
export function containerCapabilities(security: V1SecurityContext | undefined, uid: number): { bounding: bigint; ambient: bigint } {
  const all = Object.keys(capabilityNumbers);
  const add = (security?.capabilities?.add ?? []).map(capabilityName);
  const drop = (security?.capabilities?.drop ?? []).map(capabilityName);
  const set = new Set(security?.privileged ? all : drop.includes('ALL') ? [] : runtimeDefaultCapabilities.filter((c) => !drop.includes(c)));
  for (const name of add.includes('ALL') ? all : add) set.add(name);
  const bounding = mask(set);
  return { bounding, ambient: uid === 0 ? 0n : mask(add.includes('ALL') ? all : add) & bounding };
}

/** Kubernetes' rule: command replaces the image's Entrypoint (and drops its Cmd), args replace Cmd. */
export function containerArgv(image: { entrypoint: readonly string[]; cmd: readonly string[] }, container: V1Container): string[] {
  if (container.command?.length) return [...container.command, ...(container.args ?? [])];
  return [...image.entrypoint, ...(container.args ?? image.cmd)];
}

/**
 * `$(NAME)` references as a kubelet expands them in env values, command and args: a defined
 * name is replaced, `$$` escapes, anything else is kept as written.
 */
export function expandReferences(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    return env[name] ?? match;
  });
}

/** NAME=value lines (an image's Env) as a record. */
export function envRecord(lines: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf('=');
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

export interface ContainerIdentity {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
}

interface AccountFiles {
  /** The image's /etc/passwd and /etc/group, empty when it has none. */
  readonly passwd: string;
  readonly group: string;
}

function lookUp(table: string, name: string): string[] | undefined {
  return table.split('\n').map((line) => line.split(':')).find((fields) => fields[0] === name);
}

const numeric = (value: string): boolean => /^\d+$/.test(value);

/**
 * The user a container runs as: runAsUser/runAsGroup (container, then pod) over the image's
 * User (`uid`, `name`, `uid:gid`, `name:group`, names looked up in the image's own files), the
 * pod's supplementalGroups and fsGroup added. runAsNonRoot is checked as a kubelet checks it.
 */
export function containerIdentity(imageUser: string, container: V1Container, pod: V1PodSecurityContext | undefined, files: AccountFiles): ContainerIdentity {
  const security = container.securityContext;
  const [userPart = '', groupPart] = imageUser.split(':');
  const runAsUser = security?.runAsUser ?? pod?.runAsUser;
  const runAsNonRoot = security?.runAsNonRoot ?? pod?.runAsNonRoot;
  if (runAsNonRoot && runAsUser === undefined && userPart && !numeric(userPart)) {
    throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${userPart}), cannot verify user is non-root`);
  }
  let uid = runAsUser;
  let passwdEntry: string[] | undefined;
  if (uid === undefined) {
    if (!userPart) uid = 0;
    else if (numeric(userPart)) uid = Number(userPart);
    else {
      passwdEntry = lookUp(files.passwd, userPart);
      if (!passwdEntry) throw new ContainerConfigError(`unable to find user ${userPart}: no matching entries in passwd file`);
      uid = Number(passwdEntry[2]);
    }
  }
  if (runAsNonRoot && uid === 0) throw new ContainerConfigError('container has runAsNonRoot and image will run as root');
  let gid = security?.runAsGroup ?? pod?.runAsGroup;
  if (gid === undefined && groupPart) {
    if (numeric(groupPart)) gid = Number(groupPart);
    else {
      const entry = lookUp(files.group, groupPart);
      if (!entry) throw new ContainerConfigError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = Number(entry[2]);
    }
  }
  if (gid === undefined) {
    const entry = passwdEntry ?? files.passwd.split('\n').map((line) => line.split(':')).find((fields) => fields[2] === String(uid));
    gid = entry ? Number(entry[3]) : 0;
  }
  const groups = [...new Set([...(pod?.supplementalGroups ?? []), ...(pod?.fsGroup === undefined ? [] : [pod.fsGroup])])];
  return { uid, gid, groups };
}
