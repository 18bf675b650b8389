import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { cachedTool } from './cached-tool.js';

/**
 * A real kube-apiserver and etcd (test/controlplane, built by scripts/setup.sh), started on
 * loopback for one test run. Everything it writes stays in one temporary directory.
 */
export interface ControlPlane {
  /** The process of etcd, the API server and the controllers (one binary). */
  readonly pid: number;
  readonly kubeconfigPath: string;
  readonly dataDir: string;
  /** A KubeConfig for the cluster admin (system:masters). */
  admin(): KubeConfig;
  /** A KubeConfig that authenticates as a ServiceAccount with a real token; creates the account if needed. */
  serviceAccount(namespace: string, name: string): Promise<KubeConfig>;
  stop(): Promise<void>;
}

const startTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;

/** The control plane binary; built (once, cached by source hash) by scripts/setup.sh if missing. */
export function controlPlaneBinary(): string {
  return cachedTool('controlplane', 'NETMAP_CONTROLPLANE_BIN', 'the test control plane');
}

export interface ControlPlaneOptions {
  /**
   * kube-controller-manager controllers to run (e.g. 'deployment-controller'). None by default:
   * tests then own every object, and no controller adds Pods or ReplicaSets of its own.
   */
  controllers?: readonly string[];
  /** More flags for test/controlplane (e.g. --bind-address, --advertise-address). */
  extraArgs?: readonly string[];
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), 'netmap-controlplane-'));
  const logFd = openSync(join(dataDir, 'controlplane.log'), 'a');
  const args = ['--data-dir', dataDir, '--exit-with-stdin'];
  if (options.controllers?.length) args.push(`--controllers=${options.controllers.join(',')}`);
  if (options.extraArgs?.length) args.push(...options.extraArgs);
  // Its stdin stays open for as long as this process lives: if we die, it shuts itself down.
  const child = spawn(controlPlaneBinary(), args, { stdio: ['pipe', 'pipe', logFd] });
  closeSync(logFd);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let kubeconfigPath: string;
  try {
    kubeconfigPath = await waitForReady(child, dataDir);
  } catch (error) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw error;
  }
  const admin = (): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    return kc;
  };
  await waitForDefaultNamespace(admin());

  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid!,
    kubeconfigPath,
    dataDir,
    admin,
    serviceAccount: (namespace, name) => serviceAccountConfig(admin(), namespace, name),
    stop: () => {
      stopped ??= stopProcess(child).finally(() => {
        process.removeListener('exit', killOnExit);
        rmSync(dataDir, { recursive: true, force: true });
      });
      return stopped;
    },
  };
}

function waitForReady(child: ChildProcess, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`not ready after ${startTimeoutMs} ms`)), startTimeoutMs);
    const lines = createInterface({ input: child.stdout! });
    function fail(error: Error): void {
      clearTimeout(timer);
      lines.close();
      const log = tail(join(dataDir, 'controlplane.log'));
      reject(new Error(`control plane: ${error.message}\n${log}`));
    }
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timer);
      resolve(line.slice('READY '.length).trim());
    });
    child.once('exit', (code, signal) => fail(new Error(`exited (code ${code}, signal ${signal}) before it was ready`)));
  });
}

async function waitForDefaultNamespace(kc: KubeConfig): Promise<void> {
  // /readyz can answer before the bootstrap controller has made "default" and its Service.
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function serviceAccountConfig(admin: KubeConfig, namespace: string, name: string): Promise<KubeConfig> {
  const core = admin.makeApiClient(CoreV1Api);
  await ignoreConflict(core.createNamespace({ body: { metadata: { name: namespace } } }));
  await ignoreConflict(core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }));
  const token = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: `${namespace}-${name}`, token: token.status!.token }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: `${namespace}-${name}`, namespace }],
    currentContext: 'sa',
  });
  return kc;
}

async function ignoreConflict(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '';
  }
}
