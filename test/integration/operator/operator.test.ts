import { expect } from 'chai';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ciApi, connection, dnsAnswer, obsApi, startLeadingOperator, testSettings, waitFor, writesOf, type ClientIntentsRead, type RunningOperator, operatorTestCluster, type Cluster } from './cluster-fixtures.js';

const opNs = 'netmap-op';
const shop = 'op-shop';
const billing = 'op-billing';
const managedLabel = 'app.kubernetes.io/managed-by';

describe('operator against a real API server (as its ServiceAccount)', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let operatorKc: KubeConfig;
  let running: RunningOperator;

  async function intentsFor(namespace: string, name: string, wantTargets: number): Promise<ClientIntentsRead> {
    return waitFor(`ClientIntents ${namespace}/${name} with ${wantTargets} targets`, async () => {
      const ci = await cluster.intents(namespace, name);
      return ci && ci.spec.targets.length >= wantTargets ? ci : undefined;
    });
  }

  async function processed(name: string): Promise<{ phase: string; unresolved?: { reason: string; count: number }[]; message?: string }> {
    return waitFor(`observation ${name} processed`, async () => {
      const obj = (await cluster.custom.getNamespacedCustomObject({ ...obsApi, namespace: opNs, name })) as { status?: { phase?: string } };
      return obj.status?.phase && obj.status.phase !== 'Pending' ? (obj.status as { phase: string }) : undefined;
    });
  }

  before(async () => {
    ({ cluster, operatorKc } = await operatorTestCluster(opNs, [shop, billing]));
    running = await startLeadingOperator(operatorKc, testSettings(opNs, 'replica-a'));
  });

  after(async () => {
    await running?.stop();
  });

  it('runs without admin rights: its ServiceAccount cannot read Secrets', async () => {
    const api = operatorKc.makeApiClient(CoreV1Api);
    const denied = await api.listSecretForAllNamespaces().then(
      () => undefined,
      (error: { code?: number }) => error.code,
    );
    expect(denied).to.equal(403);
  });

  it('resolves same- and cross-namespace workloads, Services, dual-stack ClusterIPs, the API server and internet names', async () => {
    const frontend = await cluster.deployment(shop, 'frontend', '10.244.1.10');
    const cart = await cluster.deployment(shop, 'cart', '10.244.1.11');
    const payments = await cluster.statefulSet(billing, 'payments', '10.244.2.10');
    const cartIps = await cluster.service(shop, 'cart', [{ name: cart.metadata!.name!, ip: '10.244.1.11' }], true);
    const paymentsIps = await cluster.service(billing, 'payments', [{ name: payments.metadata!.name!, ip: '10.244.2.10' }]);
    await cluster.service(shop, 'legacy-db', []);
    expect(cartIps).to.have.length(2);
    expect(frontend.metadata?.name).to.match(/^frontend-/);

    await cluster.observation(opNs, 'window-1', {
      dnsAnswers: [dnsAnswer('10.244.1.10', 'api.stripe.com', ['203.0.113.7']), dnsAnswer('10.244.1.10', 'payments.op-billing.svc.cluster.local', paymentsIps)],
      connections: [
        connection('10.244.1.10', cartIps[1]!, 80, ['SYN']),
        connection('10.244.1.10', paymentsIps[0]!, 80, ['SocketScan']),
        connection('10.244.1.10', '10.96.0.1', 443),
        connection('10.244.1.10', '203.0.113.7', 443),
        connection('10.244.1.10', (await cluster.core.readNamespacedService({ namespace: shop, name: 'legacy-db' })).spec!.clusterIP!, 5432),
        connection('10.244.2.10', '10.244.1.11', 8080),
      ],
    });

    const ci = await intentsFor(shop, 'frontend', 5);
    expect(ci.metadata?.labels?.[managedLabel]).to.equal('network-mapper');
    expect(ci.spec).to.deep.equal({
      workload: { name: 'frontend', kind: 'Deployment' },
      targets: [
        { kubernetes: { name: 'cart', kind: 'Deployment' } },
        { kubernetes: { name: 'payments.op-billing', kind: 'StatefulSet' } },
        { service: { name: 'kubernetes.default' } },
        { service: { name: 'legacy-db' } },
        { internet: { domains: ['api.stripe.com'], ports: [443] } },
      ],
    });
    const withStatus = await waitFor('resolvedIPs', async () => {
      const read = await cluster.intents(shop, 'frontend');
      return read?.status?.resolvedIPs ? read : undefined;
    });
    expect(withStatus.status?.resolvedIPs).to.deep.equal([{ dns: 'api.stripe.com', ips: ['203.0.113.7'] }]);
    expect(withStatus.status).to.not.have.property('upToDate');
    const evidence = JSON.parse(ci.metadata!.annotations!['netmap.dev/evidence']!) as Record<string, { by: string[]; ports?: Record<string, unknown> }>;
    expect(evidence['kubernetes:payments.op-billing#StatefulSet']?.by).to.deep.equal(['DNS', 'SocketScan']);
    // Service port 80 is targetPort 8080: the port the server pods see (docs/operator.md, "Ports").
    expect(evidence['kubernetes:cart#Deployment']?.ports).to.have.keys(['8080']);
    expect(evidence['kubernetes:payments.op-billing#StatefulSet']?.ports).to.have.keys(['8080']);
    expect(evidence['service:legacy-db']?.ports).to.have.keys(['5432']); // a port the Service does not declare: as captured

    const fromPayments = await intentsFor(billing, 'payments', 1);
    expect(fromPayments.spec).to.deep.equal({ workload: { name: 'payments', kind: 'StatefulSet' }, targets: [{ kubernetes: { name: 'cart.op-shop', kind: 'Deployment' } }] });
    expect((await processed('window-1')).phase).to.equal('Processed');
  });

  it('names CronJob pods, bare pods, annotation overrides and dotted names; never hostNetwork pods', async () => {
    await cluster.cronJob(shop, 'nightly-report', '10.244.1.20');
    await cluster.pod(shop, 'debug-shell', '10.244.1.21');
    await cluster.deployment(shop, 'checkout', '10.244.1.22', { 'intents.otterize.com/workload-name': 'checkout.v2' });
    await cluster.pod(shop, 'node-agent', '192.168.50.10', {}, true);
    await cluster.observation(opNs, 'window-2', {
      connections: [
        connection('10.244.1.20', '10.244.1.22', 8080),
        connection('10.244.1.21', '10.244.1.20', 9090),
        connection('10.244.1.22', '10.96.0.1', 443),
        connection('192.168.50.10', '10.244.1.22', 8080),
      ],
    });
    expect((await intentsFor(shop, 'nightly-report', 1)).spec).to.deep.equal({ workload: { name: 'nightly-report', kind: 'CronJob' }, targets: [{ kubernetes: { name: 'checkout_v2' } }] });
    expect((await intentsFor(shop, 'debug-shell', 1)).spec).to.deep.equal({ workload: { name: 'debug-shell', kind: 'Pod' }, targets: [{ kubernetes: { name: 'nightly-report', kind: 'CronJob' } }] });
    expect((await intentsFor(shop, 'checkout.v2', 1)).spec).to.deep.equal({ workload: { name: 'checkout_v2' }, targets: [{ service: { name: 'kubernetes.default' } }] });
    const status = await processed('window-2');
    expect(status.unresolved).to.deep.equal([{ reason: 'client-host-network', count: 1 }]);
    const all = await cluster.listIntents(shop);
    expect(all.filter((ci) => ci.spec.workload.name === 'node-agent')).to.have.length(0);
  });

  it('credits a reused pod IP to the pod that held it at the time', async () => {
    await cluster.deployment(shop, 'old-owner', '10.244.1.30');
    await cluster.observation(opNs, 'window-3a', { connections: [connection('10.244.1.30', '10.96.0.1', 443)] });
    await intentsFor(shop, 'old-owner', 1);
    const oldPod = (await cluster.core.listNamespacedPod({ namespace: shop, labelSelector: 'app=old-owner' })).items[0]!;
    await cluster.core.deleteNamespacedPod({ namespace: shop, name: oldPod.metadata!.name!, gracePeriodSeconds: 0 });
    await new Promise((r) => setTimeout(r, 1100));
    await cluster.deployment(shop, 'new-owner', '10.244.1.30');
    await new Promise((r) => setTimeout(r, 1100));
    await cluster.observation(opNs, 'window-3b', { connections: [connection('10.244.1.30', '10.244.1.11', 8080)] });
    expect((await intentsFor(shop, 'new-owner', 1)).spec.targets).to.deep.equal([{ kubernetes: { name: 'cart', kind: 'Deployment' } }]);
    expect((await cluster.intents(shop, 'old-owner'))?.spec.targets).to.deep.equal([{ service: { name: 'kubernetes.default' } }]);
  });

  it('leaves a user-managed ClientIntents alone and reports the targets it lacks in an Event', async () => {
    await cluster.deployment(shop, 'handmade', '10.244.1.40');
    const body = { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'handmade-intents', namespace: shop }, spec: { workload: { name: 'handmade', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart' } }] } };
    const created = (await cluster.custom.createNamespacedCustomObject({ ...ciApi, namespace: shop, body })) as ClientIntentsRead;
    await cluster.observation(opNs, 'window-4', { connections: [connection('10.244.1.40', '10.96.0.1', 443)] });
    await processed('window-4');
    const event = await waitFor('event on the user ClientIntents', async () => {
      const events = await cluster.core.listNamespacedEvent({ namespace: shop, fieldSelector: 'involvedObject.name=handmade-intents' });
      return events.items.find((e) => e.reason === 'ObservedTargetsMissing');
    });
    expect(event.message).to.contain('kubernetes.default');
    const after = await cluster.intents(shop, 'handmade-intents');
    expect(after?.metadata?.resourceVersion).to.equal(created.metadata?.resourceVersion);
    expect((await cluster.listIntents(shop)).filter((ci) => ci.spec.workload.name === 'handmade')).to.have.length(1);
  });

  it('marks an invalid observation Invalid with a message and an Event, and keeps going', async () => {
    const now = Date.now();
    await cluster.observation(opNs, 'window-bad', { windowStart: new Date(now).toISOString(), windowEnd: new Date(now - 60_000).toISOString() });
    const status = await processed('window-bad');
    expect(status.phase).to.equal('Invalid');
    expect(status.message).to.contain('windowEnd is before windowStart');
    await waitFor('event on the invalid observation', async () => {
      const events = await cluster.core.listNamespacedEvent({ namespace: opNs, fieldSelector: 'involvedObject.name=window-bad' });
      return events.items.find((e) => e.reason === 'InvalidObservation');
    });
    await cluster.observation(opNs, 'window-after-bad', { connections: [connection('10.244.1.21', '10.96.0.1', 443)] });
    expect((await intentsFor(shop, 'debug-shell', 2)).spec.targets).to.deep.include({ service: { name: 'kubernetes.default' } });
  });

  it('applies only its own fields: finalizers, annotations and status written by others survive', async () => {
    await cluster.custom.patchNamespacedCustomObject(
      { ...ciApi, namespace: shop, name: 'debug-shell', body: { metadata: { finalizers: ['intents.otterize.com/client-intents-finalizer'], annotations: { 'team.example/owner': 'sre' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await cluster.custom.patchNamespacedCustomObjectStatus(
      { ...ciApi, namespace: shop, name: 'debug-shell', body: { status: { upToDate: true, observedGeneration: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await cluster.observation(opNs, 'window-5', { connections: [connection('10.244.1.21', '10.244.1.11', 8080)] });
    const ci = await intentsFor(shop, 'debug-shell', 3);
    expect(ci.metadata?.finalizers).to.deep.equal(['intents.otterize.com/client-intents-finalizer']);
    expect(ci.metadata?.annotations?.['team.example/owner']).to.equal('sre');
    expect(ci.status).to.deep.include({ upToDate: true, observedGeneration: 1 });
    const managers = (ci.metadata?.managedFields ?? []).filter((f) => f.manager === 'network-mapper');
    expect(managers.map((f) => f.operation)).to.deep.equal(['Apply']);
    // Let the Intents Operator's finalizer go, so namespaces can be cleaned up.
    await cluster.custom.patchNamespacedCustomObject(
      { ...ciApi, namespace: shop, name: 'debug-shell', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  });

  it('after a restart rebuilds its state and, for the same traffic, writes nothing', async () => {
    await running.stop();
    const before = new Map((await cluster.listIntents()).map((ci) => [`${ci.metadata!.namespace}/${ci.metadata!.name}`, ci.metadata!.resourceVersion]));
    running = await startLeadingOperator(operatorKc, testSettings(opNs, 'replica-a2'));
    await cluster.observation(opNs, 'window-repeat', {
      dnsAnswers: [dnsAnswer('10.244.1.10', 'api.stripe.com', ['203.0.113.7'])],
      connections: [connection('10.244.1.10', '10.96.0.1', 443), connection('10.244.1.10', '203.0.113.7', 443), connection('10.244.1.20', '10.244.1.22', 8080)],
    });
    await processed('window-repeat');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await writesOf(running.registry, 'clientintents')).to.equal(0);
    expect(await writesOf(running.registry, 'clientintents/status')).to.equal(0);
    expect(await writesOf(running.registry, 'networkobservations/status')).to.equal(1);
    const after = new Map((await cluster.listIntents()).map((ci) => [`${ci.metadata!.namespace}/${ci.metadata!.name}`, ci.metadata!.resourceVersion]));
    expect(after).to.deep.equal(before);

    await cluster.observation(opNs, 'window-new', { connections: [connection('10.244.1.10', '10.244.1.22', 8080)] });
    await intentsFor(shop, 'frontend', 6);
    // The object can be visible before the operator has handled the answer to its own write.
    await waitFor('the write counted', async () => ((await writesOf(running.registry, 'clientintents')) > 0 ? true : undefined));
    expect(await writesOf(running.registry, 'clientintents')).to.equal(1);
  });
});
