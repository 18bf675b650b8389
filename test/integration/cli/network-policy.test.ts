import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type KubeConfig, type V1ClusterRole } from '@kubernetes/client-node';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { rawRequest } from '../../support/raw-request.js';
import type { LabelSelector } from '../../../src/cli/core/network-policy/label-selector.js';
import { encodeEvidence, evidenceAnnotation, type Evidence } from '../../../src/operator/core/evidence.js';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';
import { cliInNewNamespace, runCliProcess, type CliRun } from './cli-process.js';

const shop = 'cli-np-shop';
const billing = 'cli-np-billing';
const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };
const seen = Date.parse('2026-11-26T03:00:00Z');
const container = { name: 'main', image: 'registry.invalid/none:1' };

function evidence(port: number): Evidence {
  return { firstSeen: seen, lastSeen: seen + 60_000, captures: new Set(['SYN']), ports: new Map([[port, { firstSeen: seen, lastSeen: seen + 60_000 }]]) };
}

/** Workload -> (ReplicaSet) -> Pod with real owner references, as the controllers would leave them. */
async function workload(kc: KubeConfig, namespace: string, kind: 'Deployment' | 'StatefulSet', name: string, selector: Record<string, string>, podLabels: Record<string, string>): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const template = { metadata: { labels: podLabels }, spec: { containers: [container] } };
  const spec = { selector: { matchLabels: selector }, template };
  let owner: { apiVersion: string; kind: string; name: string; uid: string };
  if (kind === 'Deployment') {
    const d = await apps.createNamespacedDeployment({ namespace, body: { metadata: { name }, spec } });
    const rs = await apps.createNamespacedReplicaSet({ namespace, body: { metadata: { name: `${name}-5d9c7`, ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: d.metadata!.uid!, controller: true }] }, spec } });
    owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata!.name!, uid: rs.metadata!.uid! };
  } else {
    const s = await apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name }, spec: { ...spec, serviceName: name } } });
    owner = { apiVersion: 'apps/v1', kind, name, uid: s.metadata!.uid! };
  }
  for (const i of [1, 2]) {
    await kc.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace,
      body: { metadata: { name: `${name}-${i}`, labels: { ...podLabels, 'pod-template-hash': `h${i}` }, ownerReferences: [{ ...owner, controller: true }] }, spec: { containers: [container] } },
    });
  }
}

function managed(namespace: string, name: string, kind: string, targets: [Record<string, unknown>, string, Evidence][]): Record<string, unknown> {
  return {
    apiVersion: 'k8s.otterize.com/v2beta1',
    kind: 'ClientIntents',
    metadata: { name, namespace, labels: { [managedByLabel]: managedByValue }, annotations: { [evidenceAnnotation]: encodeEvidence(new Map(targets.map(([, key, e]) => [key, e]))) } },
    spec: { workload: { name, kind }, targets: targets.map(([t]) => t) },
  };
}

/** A NetworkPolicy as the API server returns it (raw JSON: client-node's model renames `from`). */
interface Policy {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: LabelSelector;
    ingress?: { from: Peer[]; ports: { protocol: string; port: number }[] }[];
    egress?: { to?: Peer[]; ports: { protocol: string; port: number }[] }[];
  };
}

interface Peer {
  namespaceSelector?: { matchLabels: Record<string, string> };
  podSelector?: LabelSelector & { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
}

/** A LabelSelector as the API server's `labelSelector` query takes it. */
function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    if (r.operator === 'In') parts.push(`${r.key} in (${(r.values ?? []).join(',')})`);
    if (r.operator === 'NotIn') parts.push(`${r.key} notin (${(r.values ?? []).join(',')})`);
    if (r.operator === 'Exists') parts.push(r.key);
    if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

describe('kubectl netmap export --format networkpolicy against a real API server', function () {
  this.timeout(180_000);
  let admin: KubeConfig;
  let cli: (...args: string[]) => Promise<CliRun>;
  let dir: string;
  let apiServerIps: string[];

  before(async () => {
    ({ admin, cli } = await cliInNewNamespace(shop));
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: billing } } });
    await workload(admin, shop, 'Deployment', 'web', { app: 'web' }, { app: 'web' });
    await workload(admin, shop, 'Deployment', 'cart', { app: 'cart' }, { app: 'cart', tier: 'backend' });
    // its selector also picks cart's pods: it must get no policy
    await workload(admin, shop, 'Deployment', 'worker', { tier: 'backend' }, { tier: 'backend', role: 'worker' });
    await workload(admin, billing, 'StatefulSet', 'payments', { app: 'payments' }, { app: 'payments' });
    await core.createNamespacedPod({ namespace: shop, body: { metadata: { name: 'debug' }, spec: { containers: [container] } } });

    const slices = await admin.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default', labelSelector: 'kubernetes.io/service-name=kubernetes' });
    apiServerIps = slices.items.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses));
    const apiPort = slices.items[0]?.ports?.[0]?.port ?? 443;
    expect(apiServerIps.length, 'the API server keeps its own EndpointSlice').to.be.greaterThan(0);

    const custom = admin.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...ci,
      namespace: shop,
      body: managed(shop, 'web', 'Deployment', [
        [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, 'kubernetes:cart#Deployment', evidence(8080)],
        [{ kubernetes: { name: `payments.${billing}`, kind: 'StatefulSet' } }, `kubernetes:payments.${billing}#StatefulSet`, evidence(5432)],
        [{ service: { name: 'kubernetes.default' } }, 'service:kubernetes.default', evidence(apiPort)],
        [{ internet: { domains: ['api.example.com'], ports: [443] } }, 'internet:api.example.com', evidence(443)],
      ]),
    });
    await custom.patchNamespacedCustomObjectStatus(
      { ...ci, namespace: shop, name: 'web', body: { status: { resolvedIPs: [{ dns: 'api.example.com', ips: ['203.0.113.7', '2001:db8::7'] }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await custom.createNamespacedCustomObject({ ...ci, namespace: shop, body: managed(shop, 'debug', 'Pod', [[{ kubernetes: { name: 'worker', kind: 'Deployment' } }, 'kubernetes:worker#Deployment', evidence(7000)]]) });
    await custom.createNamespacedCustomObject({ ...ci, namespace: billing, body: managed(billing, 'payments', 'StatefulSet', [[{ kubernetes: { name: `cart.${shop}`, kind: 'Deployment' } }, `kubernetes:cart.${shop}#Deployment`, evidence(8080)]]) });
    dir = mkdtempSync(join(tmpdir(), 'netmap-np-'));
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    const custom = admin.makeApiClient(CustomObjectsApi);
    for (const namespace of [shop, billing]) await custom.deleteCollectionNamespacedCustomObject({ ...ci, namespace });
  });

  it('exports policies the API server accepts under strict validation, each selecting exactly its workload\'s pods and peers; byte-stable', async () => {
    const run = await cli('export', '--format', 'networkpolicy', '--egress', '-n', shop, '-n', billing);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('skipped: '))).to.deep.equal([
      `skipped: no egress policy for Pod debug in namespace ${shop}: a bare pod without labels`,
      `skipped: no ingress policy for Deployment worker in namespace ${shop}: its selector also matches pod cart-1 of Deployment cart in namespace ${shop}`,
    ]);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJSON() as Policy);
    expect(docs.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).to.deep.equal([
      `${billing}/payments-statefulset-egress`,
      `${billing}/payments-statefulset-ingress`,
      `${shop}/cart-deployment-ingress`,
      `${shop}/web-deployment-egress`,
    ]);

    const core = admin.makeApiClient(CoreV1Api);
    const podsOf = async (namespace: string, selector: LabelSelector): Promise<string[]> =>
      (await core.listNamespacedPod({ namespace, labelSelector: selectorString(selector) })).items.map((p) => p.metadata!.name!).sort();
    const path = (namespace: string, name = ''): string => `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies${name ? `/${name}` : ''}`;
    for (const policy of docs) {
      const created = await rawRequest(admin, 'POST', `${path(policy.metadata.namespace)}?fieldValidation=Strict`, policy);
      expect(created.status, created.body).to.equal(201);
      expect(JSON.parse(created.body).spec, 'stored as exported').to.deep.equal(policy.spec);
    }
    const stored = async (namespace: string, name: string): Promise<Policy> => JSON.parse((await rawRequest(admin, 'GET', path(namespace, name))).body) as Policy;

    const cart = await stored(shop, 'cart-deployment-ingress');
    expect(await podsOf(shop, cart.spec.podSelector)).to.deep.equal(['cart-1', 'cart-2']);
    const admitted = [];
    for (const rule of cart.spec.ingress!) {
      for (const peer of rule.from) {
        const namespace = peer.namespaceSelector!.matchLabels['kubernetes.io/metadata.name']!;
        admitted.push({ namespace, pods: await podsOf(namespace, peer.podSelector!), ports: rule.ports.map((p) => `${p.protocol}/${p.port}`) });
      }
    }
    expect(admitted).to.deep.equal([
      { namespace: billing, pods: ['payments-1', 'payments-2'], ports: ['TCP/8080'] },
      { namespace: shop, pods: ['web-1', 'web-2'], ports: ['TCP/8080'] },
    ]);
    // the namespace selector picks the namespace by its name label, which the API server sets
    const labelled = await core.listNamespace({ labelSelector: `kubernetes.io/metadata.name=${billing}` });
    expect(labelled.items.map((n) => n.metadata!.name)).to.deep.equal([billing]);

    const payments = await stored(billing, 'payments-statefulset-ingress');
    expect(await podsOf(billing, payments.spec.podSelector)).to.deep.equal(['payments-1', 'payments-2']);
    expect(payments.spec.ingress!.map((r) => r.ports.map((p) => p.port))).to.deep.equal([[5432]]);

    const web = await stored(shop, 'web-deployment-egress');
    expect(await podsOf(shop, web.spec.podSelector)).to.deep.equal(['web-1', 'web-2']);
    const egress = web.spec.egress!.map((r) => ({ to: (r.to ?? []).map((p) => p.ipBlock?.cidr ?? p.podSelector?.matchLabels?.app), ports: r.ports.map((p) => `${p.protocol}/${p.port}`) }));
    expect(egress[0]).to.deep.equal({ to: [], ports: ['UDP/53', 'TCP/53'] }); // no kube-dns Service in this control plane: port 53 anywhere
    expect(egress[1]!.to).to.deep.equal(apiServerIps.map((ip) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`)).sort());
    expect(egress.slice(2)).to.deep.equal([
      { to: ['payments'], ports: ['TCP/5432'] },
      { to: ['cart'], ports: ['TCP/8080'] },
      { to: ['2001:db8::7/128', '203.0.113.7/32'], ports: ['TCP/443'] },
    ]);

    const again = await cli('export', '--format', 'networkpolicy', '--egress', '-n', shop, '-n', billing);
    expect(again.stdout).to.equal(run.stdout);
  });

  it('needs no more than config/rbac/cli-clusterrole.yaml grants', async () => {
    const role = parse(readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'config', 'rbac', 'cli-clusterrole.yaml'), 'utf8')) as V1ClusterRole;
    // its own name: the shared control plane may hold the role under its real name from elsewhere
    const name = 'netmap-cli-reader-np-test';
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({ body: { ...role, metadata: { name } } });
    const controlPlane = await sharedControlPlane();
    await controlPlane.serviceAccount(shop, 'netmap-user');
    await rbac.createClusterRoleBinding({ body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name: 'netmap-user', namespace: shop }] } });
    const kubeconfig = join(dir, 'reader.kubeconfig');
    writeFileSync(kubeconfig, (await controlPlane.serviceAccount(shop, 'netmap-user')).exportConfig());
    try {
      const args = ['export', '--format', 'networkpolicy', '--egress', '-n', shop, '-n', billing];
      const asReader = await runCliProcess(args, { KUBECONFIG: kubeconfig });
      expect(asReader.code, asReader.stderr).to.equal(0);
      expect(asReader.stdout).to.equal((await cli(...args)).stdout);
      expect(asReader.stdout).to.include('kind: NetworkPolicy');
    } finally {
      await rbac.deleteClusterRoleBinding({ name });
      await rbac.deleteClusterRole({ name });
    }
  });

  it('writes a directory with a kustomization.yaml listing one file per policy', async () => {
    const out = join(dir, 'policies');
    const run = await cli('export', '--format', 'networkpolicy', '-n', shop, '-n', billing, '-o', out, '--output-type', 'dir');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/wrote 2 NetworkPolicies to .*policies\/ with a kustomization.yaml/);
    const files = readdirSync(out).sort();
    expect(files).to.deep.equal(['cart-deployment-ingress.cli-np-shop.yaml', 'kustomization.yaml', 'payments-statefulset-ingress.cli-np-billing.yaml']);
    expect(parse(readFileSync(join(out, 'kustomization.yaml'), 'utf8'))).to.deep.equal({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['cart-deployment-ingress.cli-np-shop.yaml', 'payments-statefulset-ingress.cli-np-billing.yaml'],
    });
    expect(readFileSync(join(out, 'cart-deployment-ingress.cli-np-shop.yaml'), 'utf8')).to.match(/^# Ingress of Deployment cart in namespace cli-np-shop: .*\n# from the traffic network-mapper observed 2026-11-26T03:00:00Z \.\. 2026-11-26T03:01:00Z\.\napiVersion: networking.k8s.io\/v1\n/);
  });

  it('diff --networkpolicy --against the exported directory: none, then a port removed from a file is + and exit 1', async () => {
    const out = join(dir, 'committed');
    expect((await cli('export', '--format', 'networkpolicy', '-o', out, '--output-type', 'dir')).code).to.equal(0);
    expect(await cli('diff', '--networkpolicy', '--against', out)).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    const file = join(out, 'payments-statefulset-ingress.cli-np-billing.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('port: 5432', 'port: 5433'));
    const run = await cli('diff', '--networkpolicy', '--against', out, '-n', billing);
    expect(run).to.deep.equal({
      code: 1,
      stdout: [
        `--- committed ${billing}/payments-statefulset-ingress: payments-statefulset-ingress.cli-np-billing.yaml`,
        `+++ observed ${billing}/payments-statefulset-ingress: Ingress of StatefulSet payments in namespace ${billing}`,
        `+ app=web in namespace ${shop} on TCP/5432: observed, not admitted; blocked under enforcement`,
        `- app=web in namespace ${shop} on TCP/5433: admitted, not observed; a candidate to remove`,
        '',
      ].join('\n'),
      stderr: '',
    });
    expect((await cli('diff', '--networkpolicy')).code).to.equal(2);
  });

  it('list --readiness and export --ready-only: evidence from 2026-11-26 is stable for a 1 day period, learning for a 100000 day one; the operator\'s annotation sets the period; a CronJob that never ran is still learning', async () => {
    const stable = await cli('list', '--readiness', '--stable-for', '1d', '-n', shop);
    expect(stable.code, stable.stderr).to.equal(0);
    expect(stable.stdout).to.match(/^Ready to enforce \(nothing new for 1d0h\): 2 of 2 client workloads\n/);
    const learning = await cli('export', '--format', 'networkpolicy', '--ready-only', '--stable-for', '100000d', '-n', shop, '-n', billing);
    expect(learning.code, learning.stderr).to.equal(0);
    expect(learning.stdout).to.equal('');
    expect(learning.stderr).to.include(`skipped: no ingress policy for Deployment cart in namespace ${shop}: its client StatefulSet payments in namespace ${billing} is still learning`);
    // an operator Deployment carrying the chart's annotation, and a CronJob that never ran
    const install = 'cli-np-install';
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: install } } });
    await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: install,
      body: {
        metadata: { name: 'network-mapper-operator', labels: { 'app.kubernetes.io/name': 'network-mapper' }, annotations: { 'netmap.dev/readiness-stable-for': '2d' } },
        spec: { selector: { matchLabels: { app: 'op' } }, template: { metadata: { labels: { app: 'op' } }, spec: { containers: [container] } } },
      },
    });
    await admin.makeApiClient(BatchV1Api).createNamespacedCronJob({
      namespace: shop,
      body: { metadata: { name: 'nightly' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [container], restartPolicy: 'Never' } } } } } },
    });
    const configured = await cli('list', '--readiness', '--install-namespace', install, '-n', shop);
    expect(configured.code, configured.stderr).to.equal(0);
    expect(configured.stdout).to.match(/^Ready to enforce \(nothing new for 2d0h\): 2 of 3 client workloads\n/);
    expect(configured.stdout).to.match(new RegExp(`\nnightly in namespace ${shop} \\(CronJob\\): still learning: a CronJob that has not run since the mapper started at \\S+ \\(never run\\)\n`));

    // no operator Deployment here: the period is the default 7 days
    const fallback = await cli('list', '--readiness', '-n', shop);
    expect(fallback.stdout).to.match(/^Ready to enforce \(nothing new for 7d0h\): 2 of 2 client workloads\n/);
  });
});
