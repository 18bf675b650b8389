import { mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from '../control-plane.js';
import { waitFor } from '../wait-for.js';
import type { OtterizeDir } from './otterize-dir.js';
import { installOtterizeManifests } from './otterize-manifests.js';
import { freePort, OtterizeProcess } from './otterize-process.js';
import { makeWebhookCertificates } from './webhook-certificates.js';

export const otterizeNamespace = 'otterize-system';
/** The webhook server's port: fixed in its code, on every interface. */
const webhookPort = 9443;
/** Where controller-runtime's webhook server reads its certificate when not self-signing. */
const servingCertsDir = '/tmp/k8s-webhook-server/serving-certs';
const telemetryOff = { OTTERIZE_TELEMETRY_ENABLED: 'false', OTTERIZE_TELEMETRY_ERRORS_ENABLED: 'false', OTTERIZE_TELEMETRY_USAGE_ENABLED: 'false' };

export interface RunningOtterize {
  readonly webhookServer: OtterizeProcess;
  readonly operator: OtterizeProcess;
  /** Resolves once the webhook server answers TLS on its port again (after a restart). */
  webhookReady(): Promise<void>;
  stop(): Promise<void>;
}

async function ensureNamespace(admin: KubeConfig, name: string): Promise<void> {
  try {
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

async function healthy(port: number): Promise<true | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
  return response?.status === 200 ? true : undefined;
}

/** The webhook answers once a conversion review gets any HTTP answer over TLS with our CA. */
async function webhookAnswers(): Promise<true | undefined> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: webhookPort, path: '/convert', method: 'GET', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Otterize's Intents Operator and webhook server, unchanged, against a control plane as the
 * cluster admin: its CRDs (conversion webhook) and validating webhooks, failing closed as shipped.
 * The webhook server runs with --self-signed-cert=false and a certificate made here, mounted over
 * controller-runtime's fixed path in a private mount namespace, so that no file outside stateDir
 * is written and the API server can reach it by URL on loopback.
 */
export interface OtterizeOptions {
  /** --enable-egress-network-policies (experimental in Otterize, off by default). */
  readonly egressPolicies?: boolean;
}

/** Waits, and on a time-out adds the process's last lines to the error. */
async function waitForProcess(what: string, process: OtterizeProcess, check: () => Promise<true | undefined>): Promise<void> {
  try {
    await waitFor(what, check, 60_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${process.tail()}`, { cause: error });
  }
}

export async function startOtterize(cp: ControlPlane, dir: OtterizeDir, stateDir: string, options: OtterizeOptions = {}): Promise<RunningOtterize> {
  const admin = cp.admin();
  await ensureNamespace(admin, otterizeNamespace);
  const certDir = join(stateDir, 'certs');
  mkdirSync(certDir, { recursive: true });
  const certificates = makeWebhookCertificates(certDir, `intents-operator-webhook-service.${otterizeNamespace}.svc`);
  await installOtterizeManifests(admin, dir, `https://127.0.0.1:${webhookPort}`, certificates.caPem);
  mkdirSync(servingCertsDir, { recursive: true });

  const common = { KUBECONFIG: cp.kubeconfigPath, POD_NAMESPACE: otterizeNamespace, ...telemetryOff };
  const [webhookHealth, webhookMetrics, webhookPprof, operatorHealth, operatorMetrics, operatorPprof] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const webhookServer = new OtterizeProcess({
    name: 'intents-operator-webhook-server',
    binary: dir.webhookServerBinary,
    args: ['--self-signed-cert=false', `--health-probe-bind-address=127.0.0.1:${webhookHealth}`, `--metrics-bind-address=127.0.0.1:${webhookMetrics}`, `--pprof-bind-address=127.0.0.1:${webhookPprof}`],
    env: common,
    workDir: join(stateDir, 'webhook-server'),
    wrapper: ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', `mount --bind "$0" ${servingCertsDir} && exec "$@"`, certificates.servingDir],
  });
  const operator = new OtterizeProcess({
    name: 'intents-operator',
    binary: dir.operatorBinary,
    args: [
      `--health-probe-bind-address=127.0.0.1:${operatorHealth}`, `--metrics-bind-address=127.0.0.1:${operatorMetrics}`, `--pprof-bind-address=127.0.0.1:${operatorPprof}`,
      ...(options.egressPolicies ? ['--enable-egress-network-policies'] : []),
    ],
    env: { ...common, POD_NAME: 'intents-operator-0' },
    workDir: join(stateDir, 'operator'),
  });
  const webhookReady = (): Promise<void> => waitForProcess(`Otterize's webhook server on :${webhookPort}`, webhookServer, webhookAnswers);
  webhookServer.start();
  await waitForProcess('Otterize\'s webhook server ready', webhookServer, () => healthy(webhookHealth));
  await webhookReady();
  operator.start();
  await waitForProcess('Otterize\'s operator ready', operator, () => healthy(operatorHealth));
  return {
    webhookServer,
    operator,
    webhookReady,
    async stop() {
      await Promise.all([operator.stop(), webhookServer.stop()]);
      rmSync(certDir, { recursive: true, force: true });
      // Only the empty mount points made above; another run's files are never removed.
      for (const path of [servingCertsDir, '/tmp/k8s-webhook-server']) {
        try {
          rmdirSync(path);
        } catch {
          break;
        }
      }
    },
  };
}
