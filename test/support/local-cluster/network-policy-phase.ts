import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { AppsV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1NetworkPolicy } from '@kubernetes/client-node';
import { controlPlaneBinary } from '../control-plane.js';
import { otterizePolicies } from '../otterize/otterize-policies.js';
import { otterizeNamespace } from '../otterize/otterize-release.js';
import { waitFor } from '../wait-for.js';
import type { PolicyDocument } from './policy-without-port.js';

const cliMain = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
/** The label `export --format networkpolicy` puts on every policy it writes. */
export const exportedPolicyLabel = 'app.kubernetes.io/created-by=kubectl-netmap';

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** kubectl of the control plane binary, as a user would run it. */
export function kubectl(kubeconfigPath: string, ...args: string[]): CommandResult {
  const result = spawnSync(controlPlaneBinary(), ['kubectl', '--kubeconfig', kubeconfigPath, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `kubectl netmap export --format networkpolicy --egress -n <namespaces> -o <dir> --output-type dir`. */
export function exportNetworkPolicies(kubeconfigPath: string, namespaces: readonly string[], dir: string): CommandResult {
  const result = spawnSync(process.execPath, [cliMain, 'export', '--format', 'networkpolicy', '--egress', '-n', namespaces.join(','), '-o', dir, '--output-type', 'dir', '--kubeconfig', kubeconfigPath], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The exported policy files of a directory, by policy name. */
export function readExportedPolicies(dir: string): Map<string, { readonly file: string; readonly policy: PolicyDocument }> {
  const policies = new Map<string, { readonly file: string; readonly policy: PolicyDocument }>();
  for (const file of readdirSync(dir).filter((f) => f !== 'kustomization.yaml').sort()) {
    const policy = parse(readFileSync(join(dir, file), 'utf8')) as PolicyDocument;
    policies.set(policy.metadata.name, { file, policy });
  }
  return policies;
}

/** An exported policy as client-node models it (`from` is `_from` there), for describePolicy. */
export function asClientModel(policy: PolicyDocument): V1NetworkPolicy {
  const ingress = policy.spec.ingress?.map((rule) => ({ ...rule, _from: rule.from }));
  return { ...policy, spec: { ...policy.spec, ...(ingress ? { ingress } : {}) } } as unknown as V1NetworkPolicy;
}

/** Writes one edited policy over its file and applies it (kubectl apply -f). */
export function applyEditedPolicy(kubeconfigPath: string, dir: string, file: string, policy: PolicyDocument): CommandResult {
  const path = join(dir, file);
  writeFileSync(path, stringify(policy, { lineWidth: 0 }));
  return kubectl(kubeconfigPath, 'apply', '-f', path);
}

/** Every NetworkPolicy in these namespaces, as namespace/name. */
export async function policiesIn(admin: KubeConfig, namespaces: readonly string[]): Promise<string[]> {
  const api = admin.makeApiClient(NetworkingV1Api);
  const names: string[] = [];
  for (const namespace of namespaces) names.push(...(await api.listNamespacedNetworkPolicy({ namespace })).items.map((p: V1NetworkPolicy) => `${namespace}/${p.metadata!.name!}`));
  return names.sort();
}

/**
 * Otterize's Intents Operator stopped and the NetworkPolicies it made deleted, so that a phase
 * enforcing other policies starts from a clean cluster (NetworkPolicies add up: Otterize's would
 * admit what the others refuse). The returned function scales the operator back; it then makes
 * its policies again from the ClientIntents.
 */
export async function pauseOtterizeEnforcement(admin: KubeConfig): Promise<() => Promise<void>> {
  const apps = admin.makeApiClient(AppsV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const operators = (await apps.listNamespacedDeployment({ namespace: otterizeNamespace })).items
    .filter((d) => !d.metadata!.name!.includes('webhook'))
    .map((d) => ({ name: d.metadata!.name!, replicas: d.spec?.replicas ?? 1 }));
  const scale = (name: string, replicas: number): Promise<unknown> =>
    apps.patchNamespacedDeploymentScale({ name, namespace: otterizeNamespace, body: { spec: { replicas } } }, mergePatch);
  for (const operator of operators) await scale(operator.name, 0);
  await waitFor('Otterize\'s operator stopped', async () => {
    const deployments = await Promise.all(operators.map((o) => apps.readNamespacedDeployment({ name: o.name, namespace: otterizeNamespace })));
    return deployments.every((d) => (d.status?.replicas ?? 0) === 0);
  }, 60_000);
  const networking = admin.makeApiClient(NetworkingV1Api);
  for (const policy of await otterizePolicies(admin)) {
    await networking.deleteNamespacedNetworkPolicy({ name: policy.metadata!.name!, namespace: policy.metadata!.namespace! });
  }
  return async () => {
    for (const operator of operators) await scale(operator.name, operator.replicas);
  };
}
