import { expect } from 'chai';
import { ciApi, connection, dnsAnswer, fixtureClock, leadingOperatorSuite, waitFor, type ClientIntentsRead } from './cluster-fixtures.js';

const opNs = 'netmap-gone';
const appNs = 'gone-app';

describe('gone workloads and users\' ClientIntents status (real API server)', function () {
  this.timeout(60_000);
  const suite = leadingOperatorSuite(opNs, [appNs], 'gone', { goneWorkloadMs: 3000 });

  it('deletes the ClientIntents of a bare pod (a CI run) once it has been gone for GONE_WORKLOAD_EXPIRY_SECONDS', async () => {
    await suite.cluster.pod(appNs, 'ci-run-4711', '10.248.0.10');
    await suite.cluster.deployment(appNs, 'steady', '10.248.0.11');
    // Both pods are in the operator's index by now (Cluster.pod waits for it): one report resolves them.
    await suite.cluster.observation(opNs, 'gone-1', { connections: [connection('10.248.0.10', '10.96.0.1', 443), connection('10.248.0.11', '10.96.0.1', 443)] });
    await waitFor('ClientIntents of the CI pod', async () => suite.cluster.intents(appNs, 'ci-run-4711'));
    await waitFor('ClientIntents of the Deployment', async () => suite.cluster.intents(appNs, 'steady'));
    await suite.cluster.core.deleteNamespacedPod({ namespace: appNs, name: 'ci-run-4711', gracePeriodSeconds: 0 });
    // Present at this pass (its deletion may not have reached the informer yet), gone 3 s later.
    suite.running.operator.maintainNow();
    // Each probe moves the operator's time on by the gone time and runs a pass: the first pass
    // after the deletion reached the operator's informer buries the client, and its object goes.
    await waitFor('CI pod ClientIntents deleted', async () => {
      fixtureClock.advance(3500);
      suite.running.operator.maintainNow();
      return (await suite.cluster.intents(appNs, 'ci-run-4711')) === undefined ? true : undefined;
    });
    expect(await suite.cluster.intents(appNs, 'steady')).to.not.equal(undefined);
  });

  it('writes status.resolvedIPs of a ClientIntents a user wrote, under its own field manager, never its spec', async () => {
    await suite.cluster.deployment(appNs, 'payer', '10.248.0.20');
    const body = { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'payer-policy', namespace: appNs }, spec: { workload: { name: 'payer', kind: 'Deployment' }, targets: [{ internet: { domains: ['api.stripe.com'], ports: [443] } }] } };
    const created = (await suite.cluster.custom.createNamespacedCustomObject({ ...ciApi, namespace: appNs, body })) as ClientIntentsRead;
    await suite.cluster.observation(opNs, 'gone-2', { dnsAnswers: [dnsAnswer('10.248.0.20', 'api.stripe.com', ['203.0.113.70'])], connections: [connection('10.248.0.20', '203.0.113.70', 443)] });
    const read = await waitFor('resolvedIPs on the user object', async () => {
      const object = await suite.cluster.intents(appNs, 'payer-policy');
      return object?.status?.resolvedIPs ? object : undefined;
    });
    expect(read.status?.resolvedIPs).to.deep.equal([{ dns: 'api.stripe.com', ips: ['203.0.113.70'] }]);
    expect(read.spec).to.deep.equal(body.spec);
    expect(read.metadata?.generation).to.equal(created.metadata?.generation);
    const ours = (read.metadata?.managedFields ?? []).filter((f) => f.manager === 'network-mapper');
    expect(ours.map((f) => f.subresource)).to.deep.equal(['status']);
    expect((await suite.cluster.listIntents(appNs)).filter((ci) => ci.spec.workload.name === 'payer')).to.have.length(1);
  });
});
