import { collectJsonLogs } from '../../support/component-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, type KubeConfig } from '@kubernetes/client-node';

const mainJs = join(import.meta.dirname, '..', '..', '..', 'src', 'operator', 'main.js');

/** A kubeconfig file for a KubeConfig (e.g. the operator's ServiceAccount), for a child process. */
export function kubeconfigFile(kc: KubeConfig): string {
  const path = join(mkdtempSync(join(tmpdir(), 'netmap-kc-')), 'kubeconfig');
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}

export interface OperatorProcess {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

/** `main.js` as it runs in its Deployment, with JSON logs collected from stderr. */
export function startOperatorProcess(kubeconfig: string, env: Record<string, string>): OperatorProcess {
  const child = spawn(process.execPath, [mainJs], {
    env: { ...process.env, KUBECONFIG: kubeconfig, HEALTH_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs = collectJsonLogs(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logs, exited };
}

/**
 * A ValidatingAdmissionPolicy that refuses every ClientIntents write in one namespace: a
 * deterministic way to hold a leader between "resolved" and "written".
 */
export async function refuseClientIntentsWrites(admin: KubeConfig, namespace: string): Promise<() => Promise<void>> {
  const api = admin.makeApiClient(AdmissionregistrationV1Api);
  const name = `netmap-test-refuse-intents-${namespace}`;
  await api.createValidatingAdmissionPolicy({
    body: {
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          resourceRules: [{ apiGroups: ['k8s.otterize.com'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['clientintents', 'clientintents/status'] }],
        },
        validations: [{ expression: 'false', message: 'ClientIntents writes refused by the test' }],
      },
    },
  });
  await api.createValidatingAdmissionPolicyBinding({ body: { metadata: { name }, spec: { policyName: name, validationActions: ['Deny'] } } });
  return async () => {
    await api.deleteValidatingAdmissionPolicyBinding({ name });
    await api.deleteValidatingAdmissionPolicy({ name });
  };
}
