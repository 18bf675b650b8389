import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig, type V1PolicyRule } from '@kubernetes/client-node';
import { installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';

/** The compiled CLI, run exactly as a user runs it (`node dist/src/cli/main.js ...`). */
export const cliMain = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with only the environment given (plus PATH), so the caller's kubeconfig cannot leak in. */
export function runCliProcess(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliMain, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env }, timeout: 60_000, ...(cwd ? { cwd } : {}) },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The shared control plane with the CRDs and a new namespace, and the CLI run there as admin. */
export async function cliInNewNamespace(namespace: string): Promise<{ admin: KubeConfig; cli: (...args: string[]) => Promise<CliRun> }> {
  const controlPlane = await sharedControlPlane();
  const admin = controlPlane.admin();
  await installCrds(admin);
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  return { admin, cli: (...args) => runCliProcess(args, { KUBECONFIG: controlPlane.kubeconfigPath }) };
}

/** A Role in `namespace` with these rules, bound to the ServiceAccount of the same namespace. */
export async function grantNamespaced(admin: KubeConfig, namespace: string, serviceAccount: string, role: string, rules: V1PolicyRule[]): Promise<void> {
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: role }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  });
}
