import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { BatchV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { networkObservationDefinition, type NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { sh } from '../../support/netns/topology.js';
import { listIntents, targetKey } from '../../support/local-cluster/expected-intents.js';
import { describeEdge, missingEdges, type ExpectedEdge } from '../../support/local-cluster/expected-map.js';
import { cleanUpHostNetwork, leftovers, otherClustersForwarding } from '../../support/local-cluster/host-network.js';
import { applyManifests, observationNamespace, startLocalCluster, type LocalCluster } from '../../support/local-cluster/local-cluster.js';
import { releasePods, waitForReleaseReady } from '../../support/local-cluster/network-mapper-release.js';
import { waitFor } from '../../support/wait-for.js';
import { slotted, slottedOctet, slottedPort } from '../../support/test-slot.js';
import { nodeMetricsPort } from '../../support/local-cluster/node-metrics.js';
import { otterizeDir } from '../../support/otterize/otterize-dir.js';
import { otterizeOwnIntents } from '../../support/otterize/otterize-own-intents.js';
import { describeOtterizeConsumer } from './otterize-consumer-tests.js';

const prefix = slotted('nmlt');
const windowSeconds = 3;
/** With OTTERIZE_BIN_DIR (CI always), Otterize's Intents Operator is installed into the cluster by its own chart and consumes the map. */
const otterize = otterizeDir();

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
            - { name: HOST_IP, valueFrom: { fieldRef: { fieldPath: status.hostIP } } }
${Object.entries({ ...env, INTERVAL_MS: '1000' }).map(([k, v]) => `            - { name: ${k}, value: "${v}" }`).join('\n')}
---
${port ? `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  selector: { app: ${name} }
  ports: [{ name: main, port: ${port}, targetPort: 8080 }]
---` : ''}`;

/**
 * A smaller shop: web -> api (Service) -> payments in another namespace, the API server, the
 * internet by a name the search list expands (CoreDNS's autopath answers it) and through an
 * ExternalName Service; a scraper of the node's metrics port on the node IP, which is also the
 * API server's endpoint address.
 */
const demo = [
  'apiVersion: v1\nkind: Namespace\nmetadata: { name: e2e-shop }\n---',
  'apiVersion: v1\nkind: Namespace\nmetadata: { name: e2e-billing }\n---',
  'apiVersion: v1\nkind: Service\nmetadata: { name: status, namespace: e2e-shop }\nspec: { type: ExternalName, externalName: status.example.org }\n---',
  deployment('payments', 'e2e-billing', { LISTEN_PORT: '8080' }, 80),
  deployment('api', 'e2e-shop', { LISTEN_PORT: '8080', TARGETS: 'http://payments.e2e-billing/ https://kubernetes.default.svc/version http://status/' }, 8080),
  deployment('web', 'e2e-shop', { TARGETS: 'http://api:8080/ http://api.payments.example/' }),
  deployment('scraper', 'e2e-shop', { TARGETS: `http://$(HOST_IP):${nodeMetricsPort}/metrics` }),
].join('\n');

const edges: ExpectedEdge[] = [
  { client: { namespace: 'e2e-shop', app: 'web' }, service: { namespace: 'e2e-shop', name: 'api', port: 8080 } },
  { client: { namespace: 'e2e-shop', app: 'web' }, dns: 'api.payments.example' },
  { client: { namespace: 'e2e-shop', app: 'api' }, service: { namespace: 'e2e-billing', name: 'payments', port: 80 } },
  { client: { namespace: 'e2e-shop', app: 'api' }, service: { namespace: 'default', name: 'kubernetes', port: 443 } },
  { client: { namespace: 'e2e-shop', app: 'api' }, dns: 'status.example.org' },
];

interface Flow { namespace: string; app: string; url: string; workload: string; target: string }

/** Each demo call and the ClientIntents target it must become. */
const flows: Flow[] = [
  { namespace: 'e2e-shop', app: 'web', url: 'http://api:8080/', workload: 'web', target: 'kubernetes:api#Deployment' },
  { namespace: 'e2e-shop', app: 'web', url: 'http://api.payments.example/', workload: 'web', target: 'internet:api.payments.example:80' },
  { namespace: 'e2e-shop', app: 'api', url: 'http://payments.e2e-billing/', workload: 'api', target: 'kubernetes:payments.e2e-billing#Deployment' },
  { namespace: 'e2e-shop', app: 'api', url: 'https://kubernetes.default.svc/version', workload: 'api', target: 'service:kubernetes.default' },
  { namespace: 'e2e-shop', app: 'api', url: 'http://status/', workload: 'api', target: 'internet:status.example.org:80' },
];
const cliMain = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

/** Whether a NetworkObservation the operator has processed holds a record matching `matches`. */
async function processedRecord(cluster: LocalCluster, matches: (spec: NetworkObservationSpec) => boolean): Promise<boolean> {
  const list = await cluster.admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: networkObservationDefinition.group, version: networkObservationDefinition.version, plural: networkObservationDefinition.plural, namespace: observationNamespace,
  }) as { items: { spec: NetworkObservationSpec; status?: { phase?: string } }[] };
  return list.items.some((o) => o.status?.phase === 'Processed' && matches(o.spec));
}

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
 * real DNS through the cluster DNS, real ClusterIP DNAT, network-mapper installed by helm from
 * its image (the sniffer DaemonSet on the host network, two operator replicas with leader
 * election, in-cluster with projected tokens), the CLI's export, and nothing left on the machine
 * afterwards.
 */
describe('local cluster end to end: demo traffic to ClientIntents (integration)', function () {
  this.timeout(120_000);
  let cluster: LocalCluster | undefined;
  let leftoverProcess: ChildProcess | undefined;
  const podPids: number[] = [];
  // Read when this test starts (not when mocha loads the file); another slot's cluster may hold forwarding on meanwhile.
  let forwardingBefore = '';
  let othersForwardingBefore = true;

  before(async function () {
    // The image's first unpack and the sniffer's first readiness probe included.
    this.timeout(240_000);
    await cleanUpHostNetwork(prefix); // an earlier failed run of this test
    forwardingBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    othersForwardingBefore = otherClustersForwarding();
    // What a crashed run would leave: a namespace with a process in it, a link, the nft table, a resolv.conf.
    await sh('ip', 'netns', 'add', `${prefix}-p99`);
    leftoverProcess = spawn('ip', ['netns', 'exec', `${prefix}-p99`, 'sleep', '300'], { stdio: 'ignore' });
    await sh('ip', 'link', 'add', `${prefix}v98`, 'type', 'veth', 'peer', 'name', `${prefix}v97`);
    await sh('nft', 'add', 'table', 'inet', prefix);
    await sh('nft', 'add', 'chain', 'inet', prefix, 'leftover');
    mkdirSync(`/etc/netns/${prefix}-p99`, { recursive: true });
    writeFileSync(`/etc/netns/${prefix}-p99/resolv.conf`, 'nameserver 127.0.0.1\n');
    cluster = await startLocalCluster({ prefix, octet: slottedOctet(78), windowSeconds, snifferPort: slottedPort(19478), otterize });
    await applyManifests(cluster.admin, demo);
  });

  after(async function () {
    this.timeout(60_000);
    if (!cluster) return;
    for (const run of cluster.nodeAgent.running()) for (const c of run.containers) if (c.child?.pid) podPids.push(c.child.pid);
    await cluster.stop();
  });

  after(() => {
    leftoverProcess?.kill('SIGKILL');
  });

  /** The operator pod holding the chart's Lease (leaderElection.leaseName), once one does. */
  const leaseHolder = (): Promise<string> => waitFor('a holder of the operator Lease', async () =>
    (await cluster!.admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'network-mapper-operator', namespace: observationNamespace })).spec?.holderIdentity, 30_000);

  it('removed what a crashed run with the same prefix left behind before starting', async () => {
    expect(await sh('ip', 'netns', 'list')).not.to.include(`${prefix}-p99`);
    expect(await sh('ip', '-o', 'link', 'show')).not.to.include(`${prefix}v98`);
    expect(await sh('nft', 'list', 'table', 'inet', prefix)).not.to.include('leftover');
    expect(existsSync(`/etc/netns/${prefix}-p99`)).to.equal(false);
    expect(leftoverProcess!.exitCode !== null || leftoverProcess!.signalCode !== null || !existsSync(`/proc/${leftoverProcess!.pid}`)).to.equal(true);
  });

  it('runs network-mapper from its image through the chart: the sniffer and both operator pods Ready, one of them holding the Lease', async () => {
    const { sniffers, operators } = await releasePods(cluster!.admin, observationNamespace);
    expect(sniffers.map((p) => [p.spec?.hostNetwork, p.status?.podIP, p.status?.containerStatuses?.[0]?.ready])).to.deep.equal([[true, cluster!.network.nodeIP, true]]);
    expect(operators).to.have.length(2);
    for (const pod of [...sniffers, ...operators]) {
      const run = cluster!.nodeAgent.running().find((r) => r.uid === pod.metadata?.uid);
      expect(run?.files?.serviceAccountDir, `${pod.metadata?.name} has its projected token`).to.be.a('string');
      expect(pod.status?.containerStatuses?.[0]?.imageID).to.match(/^sha256:/);
    }
    const holder = await leaseHolder();
    expect(operators.map((p) => p.metadata?.name)).to.include(holder);
  });

  it('runs every demo pod as processes with a pod IP, Ready, and the Services get endpoints', async () => {
    const core = cluster!.admin.makeApiClient(CoreV1Api);
    const pods = await waitFor('four Running, Ready pods with IPs', async () => {
      const items = [...(await core.listNamespacedPod({ namespace: 'e2e-shop' })).items, ...(await core.listNamespacedPod({ namespace: 'e2e-billing' })).items];
      const ready = items.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 4 ? ready : undefined;
    }, 30_000);
    for (const pod of pods) {
      expect(pod.spec?.nodeName).to.equal(cluster!.nodeName);
      expect(pod.status?.podIPs?.map((i) => i.ip)).to.have.length(2);
      expect(pod.status?.podIP?.startsWith(cluster!.network.podCidr4.replace(/0\/24$/, '')), pod.status?.podIP).to.equal(true);
      expect(pod.status?.hostIP).to.equal(cluster!.network.nodeIP);
    }
  });

  it('writes the exact ClientIntents for the demo, each target within the sniffer window plus 5 s of its first call', async () => {
    const seenAt = new Map<string, number>();
    const keyOf = (flow: Flow): string => `${flow.namespace}/${flow.workload} ${flow.target}`;
    await waitFor('every demo target in the ClientIntents', async () => {
      for (const intents of await listIntents(cluster!.admin)) {
        for (const target of intents.spec.targets) {
          const key = `${intents.namespace}/${intents.spec.workload.name} ${targetKey(target)}`;
          if (!seenAt.has(key)) seenAt.set(key, Date.now());
        }
      }
      return flows.every((flow) => seenAt.has(keyOf(flow)));
    }, 60_000).catch(async (error: Error) => {
      const unseen = (await missingEdges(cluster!.admin, observationNamespace, edges)).missing.map(describeEdge);
      throw new Error(`${error.message}; have ${[...seenAt.keys()].join(', ')}; not in the NetworkObservations: ${unseen.join(', ') || 'none'}`);
    });

    const latencies = flows.map((flow) => {
      const first = firstCall(cluster!.logDir, flow.namespace, flow.app, flow.url);
      expect(first, `a logged call to ${flow.url}`).to.be.a('number');
      return { flow: keyOf(flow), seconds: (seenAt.get(keyOf(flow))! - first!) / 1000 };
    });
    const worst = Math.max(...latencies.map((l) => l.seconds));
    const line = `local-cluster: first connection -> ClientIntents target: ${latencies.map((l) => `${l.flow} ${l.seconds.toFixed(1)} s`).join('; ')}; worst ${worst.toFixed(1)} s (sniffer window ${windowSeconds} s)`;
    console.log(line);

    // Before comparing: the traffic that must NOT become targets has been seen and resolved
    // (the scraper's calls to the node's metrics port, CoreDNS's upstream answers), and
    // CoreDNS's own call of the API server is written.
    const core = cluster!.admin.makeApiClient(CoreV1Api);
    const podIP = async (namespace: string, selector: string): Promise<string> =>
      (await core.listNamespacedPod({ namespace, labelSelector: selector })).items[0]!.status!.podIP!;
    const scraperIP = await podIP('e2e-shop', 'app=scraper');
    const corednsIP = await podIP('kube-system', 'k8s-app=kube-dns');
    await waitFor('a processed observation of the scraper calling the node metrics port', () => processedRecord(cluster!, (spec) =>
      spec.connections.some((c) => c.clientIP === scraperIP && c.serverIP === cluster!.network.nodeIP && c.serverPort === nodeMetricsPort)), 30_000);
    await waitFor('a processed observation of an upstream answer to CoreDNS', () => processedRecord(cluster!, (spec) =>
      spec.dnsAnswers.some((a) => a.clientIP === corednsIP && a.name === 'api.payments.example')), 30_000);
    await waitFor('the ClientIntents of CoreDNS', async () => (await listIntents(cluster!.admin)).some((i) => i.namespace === 'kube-system'), 30_000);

    await waitFor('the operator\'s own ClientIntents', async () =>
      (await listIntents(cluster!.admin)).some((i) => i.namespace === observationNamespace && i.spec.workload.name === 'network-mapper-operator'), 20_000);
    if (otterize) {
      await waitFor('Otterize\'s own ClientIntents', async () => {
        const written = await listIntents(cluster!.admin);
        return otterizeOwnIntents.every((want) => written.some((i) => i.namespace === want.namespace && i.spec.workload.name === want.workload));
      }, 20_000);
    }
    // The exact export, through the CLI as a user would run it.
    const exported = spawnSync(process.execPath, [cliMain, 'export', '--kubeconfig', cluster!.controlPlane.kubeconfigPath], { encoding: 'utf8' });
    expect(exported.status, exported.stderr).to.equal(0);
    const documents = parseAllDocuments(exported.stdout).map((d) => d.toJS() as { metadata: { name: string } });
    const byName = (a: { metadata: { name: string } }, b: { metadata: { name: string } }): number => a.metadata.name.localeCompare(b.metadata.name);
    // Otterize's operator and webhook server watch the API server from their pods like everyone.
    const otterizeDocuments = otterize ? otterizeOwnIntents.map((want) => ({
      apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: want.workload, namespace: want.namespace },
      spec: { workload: { name: want.workload, ...(want.kind ? { kind: want.kind } : {}) }, targets: want.targets.map((t) => ({ service: { name: t.replace(/^service:/, '') } })) },
    })) : [];
    expect(documents.sort(byName)).to.deep.equal([...otterizeDocuments, ...[
      {
        apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'api', namespace: 'e2e-shop' },
        spec: { workload: { name: 'api', kind: 'Deployment' }, targets: [
          { kubernetes: { name: 'payments.e2e-billing', kind: 'Deployment' } },
          { service: { name: 'kubernetes.default' } },
          { internet: { domains: ['status.example.org'], ports: [80] } },
        ] },
      },
      {
        // CoreDNS's watch of the API server, and none of the names it forwarded upstream.
        apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'coredns', namespace: 'kube-system' },
        spec: { workload: { name: 'coredns', kind: 'Deployment' }, targets: [{ service: { name: 'kubernetes.default' } }] },
      },
      {
        // The operator's own pods call the API server from their pod network, as in any cluster.
        apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'network-mapper-operator', namespace: observationNamespace },
        spec: { workload: { name: 'network-mapper-operator', kind: 'Deployment' }, targets: [{ service: { name: 'kubernetes.default' } }] },
      },
      {
        apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'web', namespace: 'e2e-shop' },
        spec: { workload: { name: 'web', kind: 'Deployment' }, targets: [
          { kubernetes: { name: 'api', kind: 'Deployment' } },
          { internet: { domains: ['api.payments.example'], ports: [80] } },
        ] },
      },
    ]].sort(byName));
    // Last, so that a slow machine still has the export checked first.
    expect(worst, 'seconds from the first call to its ClientIntents target').to.be.below(windowSeconds + 5);
  });

  if (otterize) describeOtterizeConsumer(otterize, () => cluster!, deployment);

  it('hands the Lease to another operator when the leader\'s pod is deleted, and loses no target', async function () {
    this.timeout(90_000);
    const core = cluster!.admin.makeApiClient(CoreV1Api);
    const before = await leaseHolder();
    const follower = (await releasePods(cluster!.admin, observationNamespace)).operators.map((p) => p.metadata!.name!).find((name) => name !== before);
    expect(follower).to.be.a('string');
    const deletedAt = Date.now();
    await core.deleteNamespacedPod({ name: before, namespace: observationNamespace });
    // The leader releases the Lease as it stops; the follower or the pod the Deployment starts in
    // its place may take it first (both campaign at once), as in any cluster.
    const after = await waitFor('another operator to take the Lease', async () => {
      const holder = await leaseHolder();
      return holder && holder !== before ? holder : undefined;
    }, 45_000);
    const operators = (await releasePods(cluster!.admin, observationNamespace)).operators.map((p) => p.metadata!.name!);
    expect(operators, 'the new holder is one of the release\'s operator pods').to.include(after);
    console.log(`local-cluster: Lease handed from ${before} to ${after} (${after === follower ? 'the follower' : 'the replacement pod'}) ${((Date.now() - deletedAt) / 1000).toFixed(1)} s after the leader's pod was deleted`);
    // The Deployment replaces the pod; the map written so far stays whole, and the new leader keeps it so.
    await waitForReleaseReady(cluster!.admin, observationNamespace, { sniffers: 1, operators: 2 }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2 * windowSeconds * 1000));
    const targets = new Set((await listIntents(cluster!.admin)).flatMap((i) => i.spec.targets.map((t) => `${i.namespace}/${i.spec.workload.name} ${targetKey(t)}`)));
    expect(flows.filter((f) => !targets.has(`${f.namespace}/${f.workload} ${f.target}`)), 'targets lost in the handover').to.deep.equal([]);
  });

  it('runs a Job\'s pod to Succeeded (the Job completes, its ClientIntents are written) and tears a deleted pod down', async () => {
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
    // A pod that lived about a second still gets its ClientIntents, named after its Job.
    const once = await waitFor('the ClientIntents of Job once', async () =>
      (await listIntents(cluster!.admin)).find((i) => i.namespace === 'e2e-shop' && i.spec.workload.name === 'once'), 20_000);
    expect(once.spec).to.deep.equal({ workload: { name: 'once', kind: 'Job' }, targets: [{ kubernetes: { name: 'api', kind: 'Deployment' } }] });

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

  it('runs a hostNetwork pod in the host namespace with the node IP', async () => {
    const core = cluster!.admin.makeApiClient(CoreV1Api);
    await applyManifests(cluster!.admin, `
apiVersion: v1
kind: Pod
metadata: { name: host-agent, namespace: e2e-shop }
spec:
  hostNetwork: true
  containers:
    - name: app
      image: local/node
      command: ["__NODE__", "-e", "require('fs').writeFileSync(process.env.OUT, require('fs').readlinkSync('/proc/self/ns/net')); setInterval(() => {}, 1000)"]
      env: [{ name: OUT, value: "${join(cluster!.stateDir, 'host-agent.netns')}" }]
`);
    const pod = await waitFor('the hostNetwork pod Running', async () => {
      const read = await core.readNamespacedPod({ name: 'host-agent', namespace: 'e2e-shop' });
      return read.status?.phase === 'Running' ? read : undefined;
    }, 20_000);
    expect(pod.status?.podIPs).to.deep.equal([{ ip: cluster!.network.nodeIP }]);
    const netns = await waitFor('the pod to report its network namespace', () => (existsSync(join(cluster!.stateDir, 'host-agent.netns')) && readFileSync(join(cluster!.stateDir, 'host-agent.netns'), 'utf8')) || undefined);
    expect(netns).to.equal(readlinkSync('/proc/self/ns/net'));
  });

  it('reports a pod whose command fails as Failed, with the exit code', async () => {
    const core = cluster!.admin.makeApiClient(CoreV1Api);
    await applyManifests(cluster!.admin, `
apiVersion: v1
kind: Pod
metadata: { name: broken, namespace: e2e-shop }
spec:
  restartPolicy: Never
  containers:
    - { name: app, image: local/node, command: ["__NODE__", "-e", "process.exit(3)"] }
`);
    const pod = await waitFor('the broken pod Failed', async () => {
      const read = await core.readNamespacedPod({ name: 'broken', namespace: 'e2e-shop' });
      return read.status?.phase === 'Failed' ? read : undefined;
    }, 20_000);
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).to.equal(3);
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('False');
  });

  it('leaves nothing behind: namespaces, links, nft table, /etc/netns files, container dirs and cgroup, processes', async function () {
    this.timeout(60_000);
    for (const run of cluster!.nodeAgent.running()) for (const c of run.containers) if (c.child?.pid) podPids.push(c.child.pid);
    expect(podPids.length).to.be.greaterThan(0);
    await cluster!.stop();
    cluster = undefined;
    expect(await leftovers(prefix)).to.deep.equal([]);
    // Only when no other local cluster held forwarding on, before or now, is the value before ours to compare.
    if (!othersForwardingBefore && !otherClustersForwarding()) expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), 'net.ipv4.ip_forward restored').to.equal(forwardingBefore);
    const alive = podPids.filter((pid) => existsSync(`/proc/${pid}`));
    expect(alive, 'processes still running').to.deep.equal([]);
  });
});
