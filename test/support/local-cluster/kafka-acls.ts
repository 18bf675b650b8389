import { spawn } from 'node:child_process';
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { controlPlaneBinary } from '../control-plane.js';
import { waitFor } from '../wait-for.js';
import { listIntentItems, type ClientIntentsItem } from './expected-intents.js';
import { aclsFromMap, serverConfigAcls, type AclLine } from './kafka-acl-plan.js';
import { kafkaBroker } from './kafka-demo.js';
import { applyManifests } from './local-cluster.js';

/**
 * Otterize's Intents Operator turning the map's `kafka` targets into ACLs in the demo's broker
 * (docs/kafka.md, "ACLs from the map"): a KafkaServerConfig for it, the ACLs read back with
 * Kafka's Admin API, and what the broker then allows.
 */

/**
 * What a user applies for Otterize to administer the demo's broker: the KafkaServerConfig (TLS from
 * the operator's own certificate, the chart's `operator.autoGenerateTLSUsingCredentialsOperator`;
 * no ClientIntents of its own, which would be a second one for the workload network-mapper already
 * maps, and Otterize's webhook refuses that) and NetworkPolicies letting its operator reach the
 * broker, which Otterize's policies (the broker's ingress from its mapped clients, the operator's
 * egress to the API server) would otherwise refuse; once the operator's calls are mapped, those
 * let it through too.
 */
export function kafkaServerConfigYaml(intentsRequired: boolean): string {
  return `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-otterize-operator, namespace: kafka }
spec:
  podSelector: { matchLabels: { app: kafka } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: otterize-system } }, podSelector: { matchLabels: { app: intents-operator } } }]
      ports: [{ port: 9092, protocol: TCP }]
---
# Otterize's egress policy for its operator (made from the operator's own ClientIntents, the API
# server) lacks the broker as well until the operator's calls of it are mapped.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-otterize-operator-to-kafka, namespace: otterize-system }
spec:
  podSelector: { matchLabels: { app: intents-operator } }
  policyTypes: [Egress]
  egress:
    - to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kafka } }, podSelector: { matchLabels: { app: kafka } } }]
      ports: [{ port: 9092, protocol: TCP }]
---
apiVersion: k8s.otterize.com/v2beta1
kind: KafkaServerConfig
metadata: { name: kafka, namespace: kafka }
spec:
  workload: { name: kafka, kind: StatefulSet }
  addr: kafka.kafka:9092
  noAutoCreateIntentsForOperator: true
  topics:
    - { topic: "*", pattern: literal, clientIdentityRequired: true, intentsRequired: ${intentsRequired} }
`;
}

const kafkaServerConfigRef = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'kafkaserverconfigs', namespace: 'kafka', name: 'kafka' };

/** Creates the KafkaServerConfig (and the operator's NetworkPolicy) or sets its topics' intentsRequired. */
export async function applyKafkaServerConfig(admin: KubeConfig, intentsRequired: boolean): Promise<void> {
  await applyManifests(admin, kafkaServerConfigYaml(intentsRequired));
  await admin.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({
    ...kafkaServerConfigRef,
    body: { spec: { topics: [{ topic: '*', pattern: 'literal', clientIdentityRequired: true, intentsRequired }] } },
  }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

/**
 * Otterize applies a ClientIntents' ACLs when it reconciles that ClientIntents, and a new
 * KafkaServerConfig does not make it reconcile the ClientIntents that exist (v3.0.19): an
 * annotation of ours (network-mapper leaves others' annotations alone) makes it do so.
 */
export async function reconcileKafkaIntents(admin: KubeConfig, broker: string, at: Date): Promise<ClientIntentsItem[]> {
  const items = (await listIntentItems(admin)).filter((i) => i.spec.targets.some((t) => t.kafka?.name === broker));
  const objects = admin.makeApiClient(CustomObjectsApi);
  for (const item of items) {
    await objects.patchNamespacedCustomObject({
      group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents', namespace: item.metadata.namespace, name: item.metadata.name,
      body: { metadata: { annotations: { 'demo.netmap.dev/kafka-acls-requested-at': at.toISOString() } } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }
  return items;
}

interface ExecResult { readonly status: number | null; readonly stdout: string; readonly stderr: string }

/** `kubectl exec` (async: a JVM starts in it, seconds). */
export function kubectlExec(kubeconfigPath: string, namespace: string, target: string, command: readonly string[], timeoutMs = 60_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(controlPlaneBinary(), ['kubectl', '--kubeconfig', kubeconfigPath, 'exec', '-n', namespace, target, '--', ...command], { timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.on('error', (error) => resolve({ status: null, stdout, stderr: `${stderr}${String(error)}` }));
  });
}

const demoClient = ['java', '-Xmx64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', '/opt/kafka/libs/*:/opt/kafka/demo',
  '-Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties', 'DemoKafkaClient'];

/** Every ACL in the broker, with Kafka's Admin API from the broker's own pod (its loopback listener: no client of the map). */
export async function readBrokerAcls(kubeconfigPath: string): Promise<AclLine[]> {
  const result = await kubectlExec(kubeconfigPath, 'kafka', 'kafka-0', ['env', 'BOOTSTRAP=localhost:9094', 'TLS_DIR=', 'POD_NAME=acl-reader', ...demoClient, 'acls']);
  if (result.status !== 0) throw new Error(`DemoKafkaClient acls in kafka-0 exited ${result.status}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return result.stdout.split('\n').map((line) => line.trim()).filter(Boolean).sort();
}

/**
 * One record produced to `topic` from inside a client's pod, with that client's certificate (the
 * principal its ACLs name): its result line (`... kafka://<topic>/produce -> <result>`) and exit code.
 */
export async function produceOnceAs(kubeconfigPath: string, namespace: string, workload: string, topic: string): Promise<{ result: string; status: number | null }> {
  const run = await kubectlExec(kubeconfigPath, namespace, `deploy/${workload}`, [...demoClient, 'produce-once', topic]);
  const line = run.stdout.split('\n').find((l) => l.includes(`kafka://${topic}/produce -> `));
  return { result: line?.split(' -> ')[1]?.trim() ?? `no result line (exit ${run.status}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')})`, status: run.status };
}

/** Waits until the broker's ACLs are exactly `expected` (Otterize writes them a few at a time); returns them. */
export async function waitForBrokerAcls(kubeconfigPath: string, expected: () => Promise<AclLine[]>, timeoutMs: number): Promise<AclLine[]> {
  let last: AclLine[] = [];
  let want: AclLine[] = [];
  return waitFor('the broker\'s ACLs to be exactly those the map and the KafkaServerConfig ask for', async () => {
    [last, want] = await Promise.all([readBrokerAcls(kubeconfigPath), expected()]);
    if (last.length === want.length && last.every((line, i) => line === want[i])) return last;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return undefined;
  }, timeoutMs).catch((error: Error) => {
    const extra = last.filter((l) => !want.includes(l));
    const missing = want.filter((l) => !last.includes(l));
    throw new Error(`${error.message}; in the broker but not asked for: ${extra.join('; ') || 'none'}; asked for but not in the broker: ${missing.join('; ') || 'none'}`, { cause: error });
  });
}

/** Each mapped client's call, by its log line (DemoKafkaClient), that must keep working under the ACLs. */
export const mappedKafkaCalls: readonly { namespace: string; app: string; line: RegExp; what: string }[] = [
  { namespace: 'sales', app: 'order-service', line: /kafka:\/\/orders\/produce -> ok$/m, what: 'order-service produces to orders' },
  { namespace: 'logistics', app: 'shipper', line: /kafka:\/\/orders\/consume -> [1-9]\d* records$/m, what: 'consumer group shipper consumes orders' },
  { namespace: 'logistics', app: 'shipper', line: /kafka:\/\/shipping\/produce -> ok$/m, what: 'shipper produces to shipping' },
  { namespace: 'audit', app: 'topic-auditor', line: /kafka:\/\/orders\/describe -> ok$/m, what: 'topic-auditor describes orders' },
  { namespace: 'audit', app: 'topic-auditor', line: /kafka:\/\/shipping\/describe -> ok$/m, what: 'topic-auditor describes shipping' },
];

/** A client pod's log lines since `since` (the kubelet's --since-time, whole seconds). */
async function logSince(admin: KubeConfig, namespace: string, app: string, since: Date): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  const [pod] = (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
  if (!pod) return '';
  return core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace, sinceSeconds: Math.max(1, Math.ceil((Date.now() - since.getTime()) / 1000)) });
}

/** Which mapped calls have worked since `since`, and the refusals (`..._AUTHORIZATION_FAILED` lines) the clients logged since. */
export async function mappedCallsSince(admin: KubeConfig, since: Date): Promise<{ working: string[]; notYet: string[]; refusals: string[] }> {
  const working: string[] = [];
  const notYet: string[] = [];
  const refusals = new Set<string>();
  for (const call of mappedKafkaCalls) {
    const log = await logSince(admin, call.namespace, call.app, since);
    (call.line.test(log) ? working : notYet).push(call.what);
    for (const line of log.split('\n').filter((l) => l.includes('AUTHORIZATION_FAILED'))) refusals.add(line);
  }
  return { working, notYet, refusals: [...refusals] };
}

/** What the main command shows of the Kafka loop with Otterize. */
export interface KafkaAclLoopReport {
  /** The ACLs read back from the broker once enforced, and the ones the map asked for. */
  readonly acls: AclLine[];
  readonly mapAcls: AclLine[];
  readonly mappedCalls: Awaited<ReturnType<typeof mappedCallsSince>>;
  /** Attempts outside the map (`<who> -> <what>: <result>`), which the broker must refuse. */
  readonly unmapped: { readonly what: string; readonly result: string }[];
}

/**
 * The Kafka loop as a user runs it once the map has converged (docs/kafka.md, "ACLs from the
 * map"): the KafkaServerConfig with identified clients still allowed everything, Otterize asked to
 * apply the existing ClientIntents, the map's ACLs read back, then intents required; the mapped
 * calls after that, and two outside the map. Throws when the ACLs do not come within `timeoutMs` each.
 */
export async function runKafkaAclLoop(admin: KubeConfig, kubeconfigPath: string, timeoutMs: number): Promise<KafkaAclLoopReport> {
  const mapAcls = (): Promise<AclLine[]> => aclsOfMap(admin);
  await applyKafkaServerConfig(admin, false);
  await waitForBrokerAcls(kubeconfigPath, async () => serverConfigAcls(false), timeoutMs);
  await reconcileKafkaIntents(admin, kafkaBroker, new Date());
  await waitForBrokerAcls(kubeconfigPath, async () => [...await mapAcls(), ...serverConfigAcls(false)].sort(), timeoutMs);
  await applyKafkaServerConfig(admin, true);
  const acls = await waitForBrokerAcls(kubeconfigPath, async () => [...await mapAcls(), ...serverConfigAcls(true)].sort(), timeoutMs);
  const since = new Date(Date.now() + 1000);
  let mappedCalls = await mappedCallsSince(admin, since);
  await waitFor('each mapped call working after enforcement', async () => {
    mappedCalls = await mappedCallsSince(admin, since);
    return mappedCalls.notYet.length === 0 || (await new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000)));
  }, 30_000).catch(() => undefined);
  const unmapped = [
    { what: 'order-service produces to shipping (a topic it never used)', result: (await produceOnceAs(kubeconfigPath, 'sales', 'order-service', 'shipping')).result },
    { what: 'topic-auditor produces to orders (an operation it never made)', result: (await produceOnceAs(kubeconfigPath, 'audit', 'topic-auditor', 'orders')).result },
  ];
  return { acls, mapAcls: await mapAcls(), mappedCalls, unmapped };
}

/** The ACLs the map as written now asks for on the demo's broker. */
export async function aclsOfMap(admin: KubeConfig): Promise<AclLine[]> {
  return aclsFromMap((await listIntentItems(admin)).map((i) => ({ namespace: i.metadata.namespace, spec: i.spec })), kafkaBroker);
}

/** The NetworkPolicies `kafkaServerConfigYaml` adds for Otterize's operator, by namespace and name. */
export const operatorBootstrapPolicies = [{ namespace: 'kafka', name: 'allow-otterize-operator' }, { namespace: 'otterize-system', name: 'allow-otterize-operator-to-kafka' }] as const;

/** Deletes them: once the operator's calls of the broker are in the map, Otterize's own policies let it through. */
export async function deleteOperatorBootstrapPolicies(admin: KubeConfig): Promise<void> {
  const api = admin.makeApiClient(NetworkingV1Api);
  for (const policy of operatorBootstrapPolicies) await api.deleteNamespacedNetworkPolicy(policy).catch((error: { code?: number }) => { if (error.code !== 404) throw error; });
}

/** The broker's authorizer lines for Otterize's operator since `since` (it connects at each reconcile). */
export async function operatorLinesSince(admin: KubeConfig, since: Date): Promise<string[]> {
  const log = await admin.makeApiClient(CoreV1Api).readNamespacedPodLog({ name: 'kafka-0', namespace: 'kafka', sinceSeconds: Math.max(1, Math.ceil((Date.now() - since.getTime()) / 1000)) });
  return log.split('\n').filter((line) => line.includes('Principal = User:CN=intents-operator.otterize-system is Allowed'));
}
