import { createServer, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { apiErrorCode } from '../../../src/shared/api-error-code.js';
import { errorFields } from '../../../src/shared/logger.js';
import type { ApplyBody } from '../../../src/operator/core/plan.js';
import { KubeWrites } from '../../../src/operator/shell/kube-writes.js';
import { createOperatorMetrics } from '../../../src/operator/shell/metrics.js';
import { sumMetric } from '../../support/metrics.js';
import { operatorTestCluster } from './cluster-fixtures.js';

const namespace = 'write-errors';
const operatorNamespace = 'write-errors-operator';

function intentsBody(name: string, targets: unknown[]): ApplyBody {
  return {
    apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'network-mapper' } },
    spec: { workload: { name, kind: 'Deployment' }, targets },
  } as unknown as ApplyBody;
}

describe('write errors say what failed (real API server)', function () {
  this.timeout(60_000);
  let operatorKc: KubeConfig;
  before(async () => {
    ({ operatorKc } = await operatorTestCluster(operatorNamespace, [namespace]));
  });

  async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumMetric(await registry.metrics(), name, labels);
  }

  it('counts a 409 (object changed since it was read) as a conflict, not as an error', async () => {
    const registry = new Registry();
    const writes = new KubeWrites(operatorKc, 'network-mapper', createOperatorMetrics(registry), 'network-mapper');
    const first = await writes.applyIntents(intentsBody('web', [{ kubernetes: { name: 'api', kind: 'Deployment' } }]), undefined);
    const staleVersion = first.metadata!.resourceVersion!;
    await writes.applyIntents(intentsBody('web', [{ kubernetes: { name: 'db', kind: 'Deployment' } }]), staleVersion);
    const conflict = await writes.applyIntents(intentsBody('web', [{ kubernetes: { name: 'cache', kind: 'Deployment' } }]), staleVersion).then(() => undefined, (error: unknown) => error);
    expect(apiErrorCode(conflict)).to.equal('409');
    expect(await metric(registry, 'netmap_write_conflicts_total', { resource: 'clientintents' })).to.equal(1);
    expect(await metric(registry, 'netmap_write_errors_total')).to.equal(0);
  });

  it('counts a refused write under its HTTP status', async () => {
    const registry = new Registry();
    const writes = new KubeWrites(operatorKc, 'network-mapper', createOperatorMetrics(registry), 'network-mapper');
    const refused = await writes.applyIntents(intentsBody('bad', [{ kubernetes: { name: '', kind: 'Deployment' } }]), undefined).then(() => undefined, (error: unknown) => error);
    const code = apiErrorCode(refused);
    expect(errorFields(refused).reason).to.equal('Invalid');
    expect(code).to.equal('422');
    expect(await metric(registry, 'netmap_write_errors_total', { resource: 'clientintents', code })).to.equal(1);
    expect(await metric(registry, 'netmap_write_conflicts_total')).to.equal(0);
  });

  it('counts no error for a ConfigMap\'s first write (the drift report): its replace finds none, and it is created', async () => {
    const registry = new Registry();
    const writes = new KubeWrites(operatorKc, 'network-mapper', createOperatorMetrics(registry), 'network-mapper');
    await writes.saveConfigMap(operatorNamespace, 'network-mapper-drift', { first: '1' });
    await writes.saveConfigMap(operatorNamespace, 'network-mapper-drift', { second: '2' });
    expect(await metric(registry, 'netmap_write_errors_total')).to.equal(0);
    expect(await metric(registry, 'netmap_writes_total', { resource: 'configmaps', verb: 'create' })).to.equal(1);
    expect(await metric(registry, 'netmap_writes_total', { resource: 'configmaps', verb: 'update' })).to.equal(1);
  });

  it('counts an unreachable API server as network, and logs the cause behind "fetch failed"', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'gone', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }], contexts: [{ name: 'c', cluster: 'gone', user: 'u' }], currentContext: 'c',
    });
    const registry = new Registry();
    const writes = new KubeWrites(kc, 'network-mapper', createOperatorMetrics(registry), 'network-mapper');
    const failed = await writes.deleteObservation('network-mapper', 'x').then(() => undefined, (error: unknown) => error);
    expect(await metric(registry, 'netmap_write_errors_total', { resource: 'networkobservations', code: 'network' })).to.equal(1);
    expect(errorFields(failed).cause).to.contain('ECONNREFUSED');
  });
});
