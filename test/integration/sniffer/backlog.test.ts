import { expect } from 'chai';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { KubeClient } from '../../../src/shared/kube/kube-client.js';
import { startReporting, type Reporting } from '../../../src/sniffer/shell/reporting/start-reporting.js';
import { metricValue } from '../../support/metrics.js';
import { ManualClock } from '../../support/test-clock.js';
import { snifferClient } from '../../support/sniffer-kube.js';
import { waitFor } from '../../support/wait-for.js';
import { listObservations, observationResource, quietLogger, retryTooManyRequests, snifferTestNamespace } from './observation-api.js';

const namespace = 'sniffer-backlog';
const nodeName = 'node-b1';
const windowMs = 300;

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
    // The reporter's windows on a clock the test moves window by window (the API server stays real).
    const clock = new ManualClock(Date.now());
    // Requests answered, counted: a window's backlog check is over once one more is answered.
    const kube = snifferClient(sniffer);
    let answered = 0;
    const counted: KubeClient = { server: kube.server, close: () => kube.close(), request: <T>(r: Parameters<KubeClient['request']>[0]) => kube.request<T>(r).finally(() => answered++) };
    reporting = startReporting({
      kube: counted, namespace, nodeName, windowMs, maxBufferBytes: 10_000_000, maxPendingObjects: 2, registry, logger: quietLogger,
      backoff: { initialMs: 50, maxMs: 400 }, clock,
    });
    const seen = (serverPort: number): void =>
      reporting!.buffer.connection({ clientIP: '10.244.9.5', serverIP: '10.96.0.30', serverPort, source: 'SocketScan', seenAt: clock.now() });
    /** Closes `windows` windows, one at a time, each time waiting until its backlog check has been answered. */
    const windowsPass = async (windows: number): Promise<void> => {
      for (let i = 0; i < windows; i++) {
        const before = answered;
        clock.advance(windowMs);
        await waitFor('the window\'s backlog check answered', () => answered > before);
      }
    };

    seen(5432);
    await waitFor('the backlog pause', async () => (await metricValue(registry, 'netmap_sniffer_backlog_paused')) === 1);
    // Three are unprocessed; the check counts only up to the limit, which is enough to decide.
    expect(await metricValue(registry, 'netmap_sniffer_unprocessed_objects')).to.equal(2);
    await windowsPass(2);
    seen(5432);
    seen(6379);
    await windowsPass(3);
    expect((await listObservations(admin, namespace, nodeName)).map((o) => o.metadata.name)).to.deep.equal(['backlog-1', 'backlog-2', 'backlog-3', 'done-1']);
    expect(await metricValue(registry, 'netmap_sniffer_buffered_records', { kind: 'connection' })).to.equal(2);

    // With a limit of 2, a window flushed between these two calls still finds the backlog full
    // (with a limit of 3 it would write after the first, and see 2 unprocessed, not 1).
    await markPhase('backlog-1', 'Processed');
    await markPhase('backlog-2', 'Processed');
    const written = await waitFor('an object once the backlog shrank', async () => {
      clock.advance(windowMs);
      const objects = await listObservations(admin, namespace, nodeName);
      return objects.length === 5 && objects.find((o) => !['backlog-1', 'backlog-2', 'backlog-3', 'done-1'].includes(o.metadata.name));
    });
    expect(written.spec.connections.map((c) => [c.serverPort, c.count])).to.deep.equal([[5432, 2], [6379, 1]]);
    expect(await metricValue(registry, 'netmap_sniffer_backlog_paused')).to.equal(0);
    expect(await metricValue(registry, 'netmap_sniffer_unprocessed_objects')).to.equal(1);
    clock.advance(2 * windowMs);
    expect(await listObservations(admin, namespace, nodeName)).to.have.length(5, 'windows were merged: one object, not one per window');
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total')).to.equal(0);
  });
});
