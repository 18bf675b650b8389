import { expect } from 'chai';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { startReporting, type Reporting } from '../../../src/sniffer/shell/reporting/start-reporting.js';
import { metricValue } from '../../support/metrics.js';
import { snifferClient } from '../../support/sniffer-kube.js';
import { waitFor } from '../../support/wait-for.js';
import { listObservations, observationResource, quietLogger, retryTooManyRequests, snifferTestNamespace } from './observation-api.js';

const namespace = 'sniffer-backlog';
const nodeName = 'node-b1';
const windowMs = 300;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('sniffer backlog: the operator lags behind', function () {
  this.timeout(60_000);
  let admin: KubeConfig;
  let sniffer: KubeConfig;
  let reporting: Reporting | undefined;

  before(async () => {
    ({ admin, sniffer } = await snifferTestNamespace(namespace));
  });

  after(async () => {
    await reporting?.reporter.stop();
  });

  async function preCreate(name: string, node: string, phase?: string): Promise<void> {
    const custom = admin.makeApiClient(CustomObjectsApi);
    const spec = { nodeName: node, windowStart: '2026-11-26T03:00:00Z', windowEnd: '2026-11-26T03:00:10Z' };
    const labels = { 'netmap.dev/node': node };
    await retryTooManyRequests(() =>
      custom.createNamespacedCustomObject({ ...observationResource(namespace), body: { apiVersion: 'netmap.dev/v1alpha1', kind: 'NetworkObservation', metadata: { name, labels }, spec } }),
    );
    if (phase) await markPhase(name, phase);
  }

  function markPhase(name: string, phase: string): Promise<unknown> {
    return admin.makeApiClient(CustomObjectsApi).patchNamespacedCustomObjectStatus(
      { ...observationResource(namespace), name, body: { status: { phase } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  it('stops creating objects while too many are unprocessed, merges in memory, and resumes once they are processed', async () => {
    await preCreate('backlog-1', nodeName);
    await preCreate('backlog-2', nodeName, 'Pending');
    await preCreate('backlog-3', nodeName);
    // Neither processed objects nor other nodes' objects count.
    await preCreate('done-1', nodeName, 'Processed');
    await preCreate('other-node-1', 'node-b2');
    await preCreate('other-node-2', 'node-b2');

    const registry = new Registry();
    reporting = startReporting({
      kube: snifferClient(sniffer), namespace, nodeName, windowMs, maxBufferBytes: 10_000_000, maxPendingObjects: 2, registry, logger: quietLogger,
      backoff: { initialMs: 50, maxMs: 400 },
    });
    const seen = (serverPort: number): void =>
      reporting!.buffer.connection({ clientIP: '10.244.9.5', serverIP: '10.96.0.30', serverPort, source: 'SocketScan', seenAt: Date.now() });

    seen(5432);
    await waitFor('the backlog pause', async () => (await metricValue(registry, 'netmap_sniffer_backlog_paused')) === 1);
    // Three are unprocessed; the check counts only up to the limit, which is enough to decide.
    expect(await metricValue(registry, 'netmap_sniffer_unprocessed_objects')).to.equal(2);
    await sleep(2 * windowMs);
    seen(5432);
    seen(6379);
    await sleep(3 * windowMs);
    expect((await listObservations(admin, namespace, nodeName)).map((o) => o.metadata.name)).to.deep.equal(['backlog-1', 'backlog-2', 'backlog-3', 'done-1']);
    expect(await metricValue(registry, 'netmap_sniffer_buffered_records', { kind: 'connection' })).to.equal(2);

    // With a limit of 2, a window flushed between these two calls still finds the backlog full
    // (with a limit of 3 it would write after the first, and see 2 unprocessed, not 1).
    await markPhase('backlog-1', 'Processed');
    await markPhase('backlog-2', 'Processed');
    const written = await waitFor('an object once the backlog shrank', async () => {
      const objects = await listObservations(admin, namespace, nodeName);
      return objects.length === 5 && objects.find((o) => !['backlog-1', 'backlog-2', 'backlog-3', 'done-1'].includes(o.metadata.name));
    });
    expect(written.spec.connections.map((c) => [c.serverPort, c.count])).to.deep.equal([[5432, 2], [6379, 1]]);
    expect(await metricValue(registry, 'netmap_sniffer_backlog_paused')).to.equal(0);
    expect(await metricValue(registry, 'netmap_sniffer_unprocessed_objects')).to.equal(1);
    await sleep(2 * windowMs);
    expect(await listObservations(admin, namespace, nodeName)).to.have.length(5, 'windows were merged: one object, not one per window');
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total')).to.equal(0);
  });
});
