import { expect } from 'chai';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { networkObservationSpec } from '../../../src/crds/network-observation.js';
import { ObservationBuffer } from '../../../src/sniffer/core/observation-buffer.js';
import { conflictFreeName } from '../../../src/sniffer/core/object-names.js';
import type { ObservationPart } from '../../../src/sniffer/core/window-parts.js';
import { WriteTimeoutError } from '../../../src/sniffer/shell/reporting/api-errors.js';
import { createObservationWriter, type ObservationWriter } from '../../../src/sniffer/shell/reporting/observation-writer.js';
import { metricValue } from '../../support/metrics.js';
import { snifferClient } from '../../support/sniffer-kube.js';
import { apiServerAddress, startTcpProxy, throughProxy } from '../../support/tcp-proxy.js';
import { listObservations, observationResource, quietLogger, testMetrics, snifferTestNamespace } from './observation-api.js';

const namespace = 'sniffer-writer';
const t0 = Date.UTC(2026, 10, 26, 4, 0, 0);

function windowParts(nodeName: string, fill: (buffer: ObservationBuffer) => void): ObservationPart[] {
  const buffer = new ObservationBuffer({ nodeName, maxBytes: 1e9, startMs: t0 });
  fill(buffer);
  buffer.closeWindow(t0 + 10_000);
  return [...(buffer.nextBatch()?.parts ?? [])];
}

describe('NetworkObservation writer on a real API server (as the sniffer ServiceAccount)', function () {
  this.timeout(60_000);
  let admin: KubeConfig;
  let sniffer: KubeConfig;

  before(async () => {
    ({ admin, sniffer } = await snifferTestNamespace(namespace));
  });

  function writer(nodeName: string, kc = sniffer, metrics = testMetrics().metrics): ObservationWriter {
    return createObservationWriter({ kube: snifferClient(kc), namespace, nodeName, logger: quietLogger, metrics, requestTimeoutMs: 5_000 });
  }

  it('writes a window as one NetworkObservation, labelled with its node, holding the deduplicated records', async () => {
    const parts = windowParts('node-w1', (b) => {
      b.dnsAnswer({ clientIP: '10.244.1.5', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.10'], ttlSeconds: 30, seenAt: t0 + 1 });
      b.dnsAnswer({ clientIP: '10.244.1.5', name: 'cart.shop.svc.cluster.local', ips: ['fd00:10:96::a'], ttlSeconds: 5, seenAt: t0 + 2 });
      b.connection({ clientIP: '10.244.1.5', serverIP: '10.96.0.10', serverPort: 8080, source: 'SYN', seenAt: t0 + 3 });
      b.connection({ clientIP: '10.244.1.5', serverIP: '10.96.0.10', serverPort: 8080, source: 'SocketScan', seenAt: t0 + 4 });
    });
    expect(parts).to.have.length(1);
    expect(await writer('node-w1').write(parts[0]!)).to.equal('created');

    const [stored, ...others] = await listObservations(admin, namespace, 'node-w1');
    expect(others).to.have.length(0);
    expect(stored!.metadata.name).to.equal('node-w1-20261126t040000000z-p0');
    expect(stored!.metadata.labels).to.deep.include({ 'netmap.dev/node': 'node-w1', 'app.kubernetes.io/managed-by': 'netmap-sniffer' });
    expect(stored!.spec).to.deep.equal({
      nodeName: 'node-w1',
      windowStart: '2026-11-26T04:00:00.000Z',
      windowEnd: '2026-11-26T04:00:10.000Z',
      dnsAnswers: [{ clientIP: '10.244.1.5', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.10', 'fd00:10:96::a'], ttlSeconds: 30, firstSeen: '2026-11-26T04:00:00.001Z', lastSeen: '2026-11-26T04:00:00.002Z', count: 2 }],
      connections: [{ clientIP: '10.244.1.5', serverIP: '10.96.0.10', serverPort: 8080, protocol: 'TCP', sources: ['SYN', 'SocketScan'], firstSeen: '2026-11-26T04:00:00.003Z', lastSeen: '2026-11-26T04:00:00.004Z', count: 2 }],
    });
  });

  it('splits a large window with long names into several objects, all accepted, nothing lost', async () => {
    const longNode = `${'n'.repeat(63)}.${'o'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(61)}`;
    const longName = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    const v6 = (i: number): string => `fd00:1234:5678:9abc:def0:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}:1`;
    const parts = windowParts(longNode, (b) => {
      for (let i = 0; i < 1_100; i++) {
        b.dnsAnswer({ clientIP: v6(i), name: longName, ips: Array.from({ length: 20 }, (_, j) => v6(100_000 + i * 20 + j)), ttlSeconds: 60, seenAt: t0 });
      }
      for (let i = 0; i < 4_500; i++) b.connection({ clientIP: v6(i), serverIP: v6(500_000 + i), serverPort: 443, source: 'SYN', seenAt: t0 });
    });
    expect(parts.length).to.be.at.least(5);
    const w = writer(longNode);
    for (const part of parts) expect(await w.write(part)).to.equal('created');

    const stored = await listObservations(admin, namespace, longNode);
    expect(stored.map((o) => o.metadata.name).sort()).to.deep.equal(parts.map((p) => p.name).sort());
    for (const object of stored) expect(networkObservationSpec.safeParse(object.spec).success).to.equal(true);
    const dnsRecords = stored.reduce((n, o) => n + o.spec.dnsAnswers.length, 0);
    const ips = new Set(stored.flatMap((o) => o.spec.dnsAnswers.flatMap((a) => a.ips)));
    expect(dnsRecords).to.equal(2_200, 'each answer of 20 addresses becomes two records (16 + 4)');
    expect(ips.size).to.equal(1_100 * 20);
    expect(stored.reduce((n, o) => n + o.spec.connections.length, 0)).to.equal(4_500);
  });

  it('counts a create whose answer came too late as written when it is retried, without a second object', async () => {
    const proxy = await startTcpProxy(apiServerAddress(sniffer));
    try {
      const { registry, metrics } = testMetrics();
      // The request reaches the API server after 1 s, its answer would reach the writer after 2 s.
      const w = createObservationWriter({ kube: snifferClient(throughProxy(sniffer, proxy)), namespace, nodeName: 'node-w2', logger: quietLogger, metrics, requestTimeoutMs: 1_500 });
      const [part] = windowParts('node-w2', (b) => b.connection({ clientIP: '10.244.2.5', serverIP: '10.96.0.1', serverPort: 443, source: 'SYN', seenAt: t0 }));
      proxy.delayResponses(1_000);
      const failure = await w.write(part!).then(() => undefined, (error: unknown) => error);
      expect(failure, 'the write must time out').to.be.instanceOf(WriteTimeoutError);
      const afterLoss = await listObservations(admin, namespace, 'node-w2');
      expect(afterLoss.map((o) => o.metadata.name)).to.deep.equal([part!.name], 'the API server did create it');

      proxy.resume();
      expect(await w.write(part!)).to.equal('exists');
      expect(await listObservations(admin, namespace, 'node-w2')).to.have.length(1);
      expect(await metricValue(registry, 'netmap_sniffer_objects_written_total', { result: 'exists' })).to.equal(1);
      expect(await metricValue(registry, 'netmap_sniffer_objects_written_total', { result: 'created' })).to.equal(0);
    } finally {
      await proxy.close();
    }
  });

  it('writes under a content-derived name when another writer holds the name with other records', async () => {
    const [part] = windowParts('node-w3', (b) => b.connection({ clientIP: '10.244.3.5', serverIP: '10.96.0.1', serverPort: 443, source: 'SYN', seenAt: t0 }));
    const squatter = { ...part!.spec, connections: [{ ...part!.spec.connections[0]!, serverPort: 80 }] };
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      ...observationResource(namespace),
      body: { apiVersion: 'netmap.dev/v1alpha1', kind: 'NetworkObservation', metadata: { name: part!.name, labels: { 'netmap.dev/node': 'node-w3' } }, spec: squatter },
    });
    const w = writer('node-w3');
    expect(await w.write(part!)).to.equal('created');
    expect(await w.write(part!)).to.equal('exists', 'the retry of the second name is idempotent too');
    const stored = await listObservations(admin, namespace, 'node-w3');
    expect(stored).to.have.length(2);
    const ours = stored.find((o) => o.metadata.name !== part!.name)!;
    expect(ours.metadata.name).to.match(new RegExp(`^${part!.name}-[0-9a-f]{10}$`));
    expect(ours.metadata.name).to.equal(conflictFreeName(part!.name, ours.metadata.name.slice(-10)));
    expect(ours.spec).to.deep.equal(part!.spec);
  });
});
