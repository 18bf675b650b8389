import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, V1MicroTime, type KubeConfig, type V1ClusterRole } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { exitCodes } from '../../../src/cli/core/exit-codes.js';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { runCliProcess, type CliRun } from './cli-process.js';

const ns = 'netmap-status';
const rolePath = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'rbac', 'cli-clusterrole.yaml');

/**
 * A control plane of its own: status reads every Node, and nodes are cluster-wide. There is no
 * kubelet, so the test writes the objects the sniffers, the operator and its Lease would.
 */
describe('kubectl netmap status against a real API server, as a user bound to config/rbac/cli-clusterrole.yaml', function () {
  this.timeout(180_000);
  let controlPlane: ControlPlane;
  let admin: KubeConfig;
  let dir: string;
  let reader: string;
  let stranger: string;
  const status = (kubeconfig: string, ...args: string[]): Promise<CliRun> => runCliProcess(['status', '--install-namespace', ns, ...args], { KUBECONFIG: kubeconfig });

  before(async () => {
    controlPlane = await startControlPlane();
    admin = controlPlane.admin();
    await installCrds(admin);
    dir = mkdtempSync(join(tmpdir(), 'netmap-status-'));
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    for (const name of ['node-a', 'node-b']) await core.createNode({ body: { metadata: { name } } });
    // As the sniffer DaemonSet labels its pods (config/sniffer, the chart).
    const labels = { 'app.kubernetes.io/name': 'network-mapper', 'app.kubernetes.io/part-of': 'network-mapper', 'app.kubernetes.io/component': 'sniffer' };
    for (const node of ['node-a', 'node-b']) {
      const name = `netmap-sniffer-${node}`;
      await core.createNamespacedPod({ namespace: ns, body: { metadata: { name, labels }, spec: { nodeName: node, containers: [{ name: 'sniffer', image: 'registry.invalid/sniffer:1' }] } } });
      const ready = node === 'node-a' ? 'True' : 'False';
      // What the kubelet would report.
      const pod = await core.readNamespacedPod({ namespace: ns, name });
      await core.replaceNamespacedPodStatus({ namespace: ns, name, body: { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready }] } } });
    }
    const selector = { matchLabels: { 'app.kubernetes.io/name': 'network-mapper' } };
    await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: ns,
      body: { metadata: { name: 'network-mapper-operator', labels: selector.matchLabels }, spec: { replicas: 2, selector, template: { metadata: { labels: selector.matchLabels }, spec: { containers: [{ name: 'operator', image: 'registry.invalid/op:1' }] } } } },
    });
    const now = Date.now();
    await admin.makeApiClient(CoordinationV1Api).createNamespacedLease({
      namespace: ns,
      body: { metadata: { name: 'network-mapper-operator' }, spec: { holderIdentity: 'operator-0', acquireTime: new V1MicroTime(now), renewTime: new V1MicroTime(now), leaseDurationSeconds: 3600 } },
    });
    const custom = admin.makeApiClient(CustomObjectsApi);
    const windowEnd = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const body = {
      apiVersion: 'netmap.dev/v1alpha1',
      kind: 'NetworkObservation',
      metadata: { name: 'node-a-1', namespace: ns },
      spec: { nodeName: 'node-a', windowStart: windowEnd, windowEnd, dnsAnswers: [], connections: [] },
    };
    await custom.createNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace: ns, body });
    // What the operator writes once it processed the window.
    await custom.patchNamespacedCustomObjectStatus(
      { group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace: ns, name: 'node-a-1', body: { status: { phase: 'Processed', unresolved: [{ reason: 'client-host-network', count: 3 }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const role = parse(readFileSync(rolePath, 'utf8')) as V1ClusterRole;
    await rbac.createClusterRole({ body: role });
    await controlPlane.serviceAccount(ns, 'netmap-user');
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'netmap-user' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata!.name! },
        subjects: [{ kind: 'ServiceAccount', name: 'netmap-user', namespace: ns }],
      },
    });
    reader = join(dir, 'reader.kubeconfig');
    writeFileSync(reader, (await controlPlane.serviceAccount(ns, 'netmap-user')).exportConfig());
    stranger = join(dir, 'stranger.kubeconfig');
    writeFileSync(stranger, (await controlPlane.serviceAccount(ns, 'stranger')).exportConfig());
  });

  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await controlPlane?.stop();
  });

  it('reports each part and exits 1 with what is wrong, reading only what the ClusterRole grants', async () => {
    const run = await status(reader);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.equal('');
    const lines = run.stdout.split('\n');
    expect(lines[1]).to.match(/^ {2}node-a: Ready, last NetworkObservation \d+s ago$/);
    expect(lines[2]).to.equal('  node-b: not Ready (netmap-sniffer-node-b), no NetworkObservation kept');
    expect(run.stdout).to.include('  network-mapper-operator: 0/2 replicas ready\n');
    expect(run.stdout).to.match(/ {2}leader: operator-0 since \S+ \(\d+s\), renewed \d+s ago\n/);
    expect(run.stdout).to.include('Observations: 1 kept, 0 not processed yet, 0 invalid\n');
    expect(run.stdout).to.include('  client-host-network: 3: the client is a hostNetwork pod');
    expect(run.stdout).to.include("ClientIntents CRD: network-mapper's (config/crd/optional), versions v2beta1\n");
    expect(run.stdout).to.include('Status: 2 problems\n  - the sniffer on node-b is not Ready: kubectl -n netmap-status describe pod netmap-sniffer-node-b\n  - no operator replica is ready');
  });

  it('lets the same user list, export and visualize', async () => {
    // A new CRD's storage may answer 429 for a moment: wait until the admin can list.
    for (let i = 0; i < 50; i++) {
      const probe = await runCliProcess(['list'], { KUBECONFIG: controlPlane.kubeconfigPath });
      if (probe.code === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const args of [['list'], ['export', '--exclude-labels', 'app=x'], ['visualize', '--format', 'dot']]) {
      const run = await runCliProcess(args, { KUBECONFIG: reader });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(0);
    }
  });

  it('exits 5 for a user without the ClusterRole, saying what it could not read', async () => {
    const run = await status(stranger);
    expect(run.code).to.equal(exitCodes.forbidden);
    expect(run.stderr).to.match(/^error: forbidden: cannot list nodes in all namespaces \(.*system:serviceaccount:netmap-status:stranger.*\)\. Check with: kubectl auth can-i list nodes -A\n$/);
  });
});
