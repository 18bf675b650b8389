import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { sh } from '../../support/netns/topology.js';
import { describeEdge, missingEdges, type ExpectedEdge } from '../../support/local-cluster/expected-map.js';
import { leftovers } from '../../support/local-cluster/host-network.js';
import { applyManifests, snifferNamespace, startLocalCluster, type LocalCluster } from '../../support/local-cluster/local-cluster.js';
import { waitFor } from '../../support/wait-for.js';

const prefix = 'nmlt';
const windowSeconds = 3;

const deployment = (name: string, namespace: string, env: Record<string, string>, port?: number): string => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - name: app
          image: local/node
          command: ["__NODE__", "__DEMO_DIR__/app.mjs"]
          env:
${Object.entries({ ...env, INTERVAL_MS: '1000' }).map(([k, v]) => `            - { name: ${k}, value: "${v}" }`).join('\n')}
---
${port ? `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  selector: { app: ${name} }
  ports: [{ name: main, port: ${port}, targetPort: 8080 }]
---` : ''}`;

/** A smaller shop: web -> api (Service) -> payments in another namespace, the API server and the internet. */
const demo = [
  'apiVersion: v1\nkind: Namespace\nmetadata: { name: e2e-shop }\n---',
  'apiVersion: v1\nkind: Namespace\nmetadata: { name: e2e-billing }\n---',
  deployment('payments', 'e2e-billing', { LISTEN_PORT: '8080' }, 80),
  deployment('api', 'e2e-shop', { LISTEN_PORT: '8080', TARGETS: 'http://payments.e2e-billing/ https://kubernetes.default.svc/version' }, 8080),
  deployment('web', 'e2e-shop', { TARGETS: 'http://api:8080/ http://api.payments.example/' }),
].join('\n');

const edges: ExpectedEdge[] = [
  { client: { namespace: 'e2e-shop', app: 'web' }, service: { namespace: 'e2e-shop', name: 'api', port: 8080 } },
  { client: { namespace: 'e2e-shop', app: 'web' }, dns: 'api.payments.example' },
  { client: { namespace: 'e2e-shop', app: 'api' }, service: { namespace: 'e2e-billing', name: 'payments', port: 80 } },
  { client: { namespace: 'e2e-shop', app: 'api' }, service: { namespace: 'default', name: 'kubernetes', port: 443 } },
];

/** When the client's pod first logged a call to the URL (its log lines start with an ISO time). */
function firstCall(logDir: string, namespace: string, app: string, url: string): number | undefined {
  const times = readdirSync(logDir)
    .filter((f) => f.startsWith(`${namespace}_${app}-`))
    .flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n'))
    .filter((line) => line.includes(` ${url} -> `))
    .map((line) => Date.parse(line.split(' ')[0] ?? ''));
  return times.length ? Math.min(...times) : undefined;
}

/**
 * The main command's pipeline on a smaller demo: real pods (processes in network namespaces),
 * real DNS through the cluster DNS, real ClusterIP DNAT, the real sniffer process writing
 * NetworkObservations as its ServiceAccount, and nothing left on the machine afterwards.
 */
describe('local cluster end to end: demo traffic to NetworkObservations (integration)', function () {
  this.timeout(120_000);
  let cluster: LocalCluster | undefined;
  const podPids: number[] = [];
  let hostPids: number[] = [];

  before(async function () {
    this.timeout(90_000);
    cluster = await startLocalCluster({ prefix, octet: 78, windowSeconds, snifferHttpPort: 19478 });
    await applyManifests(cluster.admin, demo);
  });

  after(async function () {
    this.timeout(60_000);
    if (!cluster) return;
    for (const run of cluster.nodeAgent.running()) for (const c of run.containers) if (c.child?.pid) podPids.push(c.child.pid);
    hostPids = cluster.hostPids();
    await cluster.stop();
  });

  it('runs every demo pod as processes with a pod IP, Ready, and the Services get endpoints', async () => {
    const core = cluster!.admin.makeApiClient(CoreV1Api);
    const pods = await waitFor('three Running, Ready pods with IPs', async () => {
      const items = [...(await core.listNamespacedPod({ namespace: 'e2e-shop' })).items, ...(await core.listNamespacedPod({ namespace: 'e2e-billing' })).items];
      const ready = items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 3 ? ready : undefined;
    }, 30_000);
    for (const pod of pods) {
      expect(pod.spec?.nodeName).to.equal(cluster!.nodeName);
      expect(pod.status?.podIPs?.map((i) => i.ip)).to.have.length(2);
      expect(pod.status?.podIP).to.match(/^10\.244\.78\.\d+$/);
      expect(pod.status?.hostIP).to.equal(cluster!.network.nodeIP);
    }
  });

  it('maps every demo connection from real traffic, each within the sniffer window plus 5 s of the first call', async () => {
    const seenAt = new Map<ExpectedEdge, number>();
    await waitFor('every edge in the NetworkObservations', async () => {
      const { missing } = await missingEdges(cluster!.admin, snifferNamespace, edges);
      for (const edge of edges) if (!missing.includes(edge) && !seenAt.has(edge)) seenAt.set(edge, Date.now());
      return missing.length === 0;
    }, 60_000).catch((error: Error) => {
      const missing = edges.filter((e) => !seenAt.has(e)).map(describeEdge);
      throw new Error(`${error.message}; missing: ${missing.join(', ')}`);
    });
    const urls: Record<string, string> = {
      'web.e2e-shop -> service api.e2e-shop:8080': 'http://api:8080/',
      'web.e2e-shop -> DNS api.payments.example': 'http://api.payments.example/',
      'api.e2e-shop -> service payments.e2e-billing:80': 'http://payments.e2e-billing/',
      'api.e2e-shop -> service kubernetes.default:443': 'https://kubernetes.default.svc/version',
    };
    const latencies = edges.map((edge) => {
      const first = firstCall(cluster!.logDir, edge.client.namespace, edge.client.app, urls[describeEdge(edge)]!);
      expect(first, `a logged call for ${describeEdge(edge)}`).to.be.a('number');
      return { edge: describeEdge(edge), seconds: (seenAt.get(edge)! - first!) / 1000 };
    });
    const worst = Math.max(...latencies.map((l) => l.seconds));
    console.log(`local-cluster: first connection -> NetworkObservation: ${latencies.map((l) => `${l.edge} ${l.seconds.toFixed(1)} s`).join('; ')}; worst ${worst.toFixed(1)} s (window ${windowSeconds} s)`);
    expect(worst, 'seconds from the first call to its observation').to.be.below(windowSeconds + 5);
  });

  it('runs a Job\'s pod to Succeeded (the Job completes) and tears a deleted pod down', async () => {
    const core = cluster!.admin.makeApiClient(CoreV1Api);
    await applyManifests(cluster!.admin, `
apiVersion: batch/v1
kind: Job
metadata: { name: once, namespace: e2e-shop }
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: call
          image: local/node
          command: ["__NODE__", "__DEMO_DIR__/app.mjs"]
          env: [{ name: ONCE, value: "1" }, { name: TARGETS, value: "http://api:8080/" }]
`);
    const batch = cluster!.admin.makeApiClient(BatchV1Api);
    await waitFor('the Job to complete', async () =>
      (await batch.readNamespacedJob({ name: 'once', namespace: 'e2e-shop' })).status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True'), 30_000);
    const jobPods = (await core.listNamespacedPod({ namespace: 'e2e-shop', labelSelector: 'job-name=once' })).items;
    expect(jobPods.map((p) => p.status?.phase)).to.deep.equal(['Succeeded']);

    const web = (await core.listNamespacedPod({ namespace: 'e2e-shop', labelSelector: 'app=web' })).items[0]!;
    const run = cluster!.nodeAgent.running().find((r) => r.uid === web.metadata!.uid);
    expect(run?.netns).to.be.a('string');
    await core.deleteNamespacedPod({ name: web.metadata!.name!, namespace: 'e2e-shop' });
    await waitFor('the deleted pod to be gone from the API server', async () =>
      !(await core.listNamespacedPod({ namespace: 'e2e-shop' })).items.some((p) => p.metadata?.uid === web.metadata!.uid), 20_000);
    const namespaces = await sh('ip', 'netns', 'list');
    expect(namespaces).not.to.include(`${run!.netns} `);
    expect(existsSync(`/etc/netns/${run!.netns}`)).to.equal(false);
    expect(run!.containers.every((c) => c.child?.pid !== undefined && !existsSync(`/proc/${c.child.pid}`))).to.equal(true);
  });

  it('leaves nothing behind: namespaces, links, nft table, /etc/netns files, processes', async function () {
    this.timeout(60_000);
    for (const run of cluster!.nodeAgent.running()) for (const c of run.containers) if (c.child?.pid) podPids.push(c.child.pid);
    hostPids = cluster!.hostPids();
    expect(podPids.length).to.be.greaterThan(0);
    await cluster!.stop();
    cluster = undefined;
    expect(await leftovers(prefix)).to.deep.equal([]);
    const alive = [...podPids, ...hostPids].filter((pid) => existsSync(`/proc/${pid}`));
    expect(alive, 'processes still running').to.deep.equal([]);
  });
});
