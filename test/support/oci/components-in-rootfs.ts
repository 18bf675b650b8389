import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { installCrds } from '../crds.js';
import type { ControlPlane } from '../control-plane.js';
import { collectJsonLogs } from '../component-process.js';
import { ensureNamespace } from '../ensure-namespace.js';
import { writeServiceAccountKubeconfig } from '../service-account-kubeconfig.js';
import { snifferKubeConfig } from '../sniffer-rbac.js';
import { waitFor } from '../wait-for.js';
import { imageCommand } from './image-command.js';
import type { OciImage } from './oci-image-layout.js';
import { startInRootfs } from './run-in-rootfs.js';

export interface RunningComponent {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  /** Milliseconds from spawn to the "started" log line and to a 200 from /readyz. */
  startedMs: number;
  readyMs: number;
  /** Stops it (SIGKILL if still running) and removes what was written for it. */
  cleanUp(): void;
}

const namespace = 'network-mapper';

async function untilReady(child: ChildProcess, started: string, port: (logs: Record<string, unknown>[]) => number | undefined, begin: number): Promise<Pick<RunningComponent, 'logs' | 'startedMs' | 'readyMs'>> {
  const logs = collectJsonLogs(child);
  const exited = (): void => {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${JSON.stringify(logs)}`);
  };
  await waitFor(`"${started}"`, () => (exited(), logs.some((l) => l.message === started)), 60_000);
  const startedMs = performance.now() - begin;
  await waitFor('/readyz 200', async () => (exited(), (await fetch(`http://127.0.0.1:${port(logs)}/readyz`)).status === 200), 60_000);
  return { logs, startedMs, readyMs: performance.now() - begin };
}

/**
 * The operator from the image's entrypoint, as its Deployment runs it: the image's user, a
 * read-only root file system with nothing writable (no /tmp either), an admin kubeconfig bound in.
 */
export async function startOperatorInRootfs(rootfs: string, image: OciImage, cp: ControlPlane): Promise<RunningComponent> {
  await ensureNamespace(cp.admin(), namespace);
  await installCrds(cp.admin());
  // Readable by the image's user, as a projected token is; the bind target must exist before
  // the root goes read-only.
  const kubeconfig = `${rootfs}.operator-kubeconfig`;
  writeFileSync(kubeconfig, readFileSync(cp.kubeconfigPath), { mode: 0o644 });
  writeFileSync(`${rootfs}/kubeconfig`, '');
  const begin = performance.now();
  const child = startInRootfs(rootfs, imageCommand(image, ['operator']), {
    readOnly: true,
    binds: { '/kubeconfig': kubeconfig },
    env: { KUBECONFIG: '/kubeconfig', HEALTH_PORT: '0', POD_NAME: 'image-operator', LOG_LEVEL: 'info' },
  });
  const cleanUp = (): void => {
    child.kill('SIGKILL');
    rmSync(kubeconfig, { force: true });
  };
  try {
    const port = (logs: Record<string, unknown>[]): number | undefined => logs.find((l) => l.message === 'operator started')?.healthPort as number | undefined;
    return { child, ...(await untilReady(child, 'operator started', port, begin)), cleanUp };
  } catch (error) {
    cleanUp();
    throw error;
  }
}

/**
 * The sniffer from the image's entrypoint, as its DaemonSet runs it: root with only NET_RAW and
 * SYS_PTRACE, a read-only root file system, its ServiceAccount's kubeconfig bound in; it captures
 * on the host's loopback (a device every machine has) and scans the host's /proc.
 */
export async function startSnifferInRootfs(rootfs: string, image: OciImage, cp: ControlPlane, port: number): Promise<RunningComponent> {
  await ensureNamespace(cp.admin(), namespace);
  await installCrds(cp.admin());
  const kubeconfig = `${rootfs}.sniffer-kubeconfig`;
  writeServiceAccountKubeconfig(await snifferKubeConfig(cp, namespace), kubeconfig, namespace);
  writeFileSync(`${rootfs}/kubeconfig`, '');
  const begin = performance.now();
  const child = startInRootfs(rootfs, imageCommand(image, ['sniffer']), {
    user: { uid: 0, gid: 0 },
    capabilities: ['net_raw', 'sys_ptrace'],
    readOnly: true,
    binds: { '/kubeconfig': kubeconfig },
    env: { KUBECONFIG: '/kubeconfig', NODE_NAME: 'image-node', POD_NAMESPACE: namespace, CAPTURE_DEVICE: 'lo', PROC_ROOT: '/proc', HTTP_PORT: String(port), LOG_LEVEL: 'info' },
  });
  const cleanUp = (): void => {
    child.kill('SIGKILL');
    rmSync(kubeconfig, { force: true });
  };
  try {
    return { child, ...(await untilReady(child, 'sniffer started', () => port, begin)), cleanUp };
  } catch (error) {
    cleanUp();
    throw error;
  }
}
