import { expect } from 'chai';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { Registry as PromRegistry } from 'prom-client';
import type { ObservedConnection } from '../../../src/sniffer/core/observed.js';
import { startReporting, type Reporting, type ReportingOptions } from '../../../src/sniffer/shell/reporting/start-reporting.js';
import { metricValue } from '../../support/metrics.js';
import { ManualClock } from '../../support/test-clock.js';
import { snifferClient } from '../../support/sniffer-kube.js';
import { apiServerAddress, startTcpProxy, throughProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { waitFor } from '../../support/wait-for.js';
import { listObservations, quietLogger, snifferTestNamespace } from './observation-api.js';

const namespace = 'sniffer-reporting';
const windowMs = 300;
/**
 * The reporter's windows, retries and backoff run on this clock where a test counts windows: the
 * test moves it by whole windows instead of sleeping (the API server, the proxy and the requests
 * stay real). It starts at the real time: object names come from window times, and the control
 * plane keeps earlier runs' objects. Tests of the flush deadline keep real time.
 */
let clock = new ManualClock(Date.now());
const connection = (serverPort: number, seenAt = clock.now()): ObservedConnection => ({ clientIP: '10.244.7.5', serverIP: '10.96.0.20', serverPort, source: 'SYN', seenAt });

describe('sniffer reporting against a real API server that goes away and comes back', function () {
  this.timeout(60_000);
  let admin: KubeConfig;
  let sniffer: KubeConfig;
  let proxy: TcpProxy;
  const running: Reporting[] = [];

  before(async () => {
    ({ admin, sniffer } = await snifferTestNamespace(namespace));
  });

  beforeEach(async () => {
    proxy = await startTcpProxy(apiServerAddress(sniffer));
    clock = new ManualClock(Date.now());
  });

  afterEach(async () => {
    for (const reporting of running.splice(0)) await reporting.reporter.stop();
    await proxy.close();
  });

  function start(nodeName: string, over: Partial<ReportingOptions> = {}): { reporting: Reporting; registry: Registry } {
    const registry = new PromRegistry();
    const reporting = startReporting({
      kube: snifferClient(throughProxy(sniffer, proxy)),
      namespace,
      nodeName,
      windowMs,
      maxBufferBytes: 10_000_000,
      maxPendingObjects: 100,
      registry,
      logger: quietLogger,
      requestTimeoutMs: 2_000,
      flushTimeoutMs: 5_000,
      backoff: { initialMs: 50, maxMs: 400 },
      ...over,
    });
    running.push(reporting);
    return { reporting, registry };
  }

  it('buffers while the API server is unreachable, merges the windows, and writes them as one object when it is back', async () => {
    proxy.pause();
    const { reporting, registry } = start('node-r1', { clock });
    const firstSeen = clock.now();
    reporting.buffer.connection(connection(80));
    await waitFor('a failed request', async () => (await metricValue(registry, 'netmap_sniffer_write_errors_total')) >= 1);
    clock.advance(2 * windowMs);
    const lastSeen = clock.now();
    reporting.buffer.connection(connection(80));
    reporting.buffer.connection(connection(443));
    // Each probe is one more window: the retries (on the clock) keep failing while the proxy refuses.
    await waitFor('a second failed request', async () => {
      clock.advance(windowMs);
      return (await metricValue(registry, 'netmap_sniffer_write_errors_total', { code: 'network' })) >= 2;
    });
    expect(await listObservations(admin, namespace, 'node-r1')).to.have.length(0);
    expect(await metricValue(registry, 'netmap_sniffer_buffered_records', { kind: 'connection' })).to.equal(2);
    expect(await metricValue(registry, 'netmap_sniffer_buffered_bytes')).to.be.greaterThan(0);
    expect(reporting.reporter.connected).to.equal(false);

    proxy.resume();
    // The pending retry is on the clock: each probe moves it on by a window.
    const [written] = await waitFor('the merged object', async () => {
      clock.advance(windowMs);
      const objects = await listObservations(admin, namespace, 'node-r1');
      return objects.length > 0 && objects;
    });
    await waitFor('the buffer empty', async () => (await metricValue(registry, 'netmap_sniffer_buffered_records')) === 0);
    // Three more windows with nothing new: no further object.
    clock.advance(3 * windowMs);
    const objects = await listObservations(admin, namespace, 'node-r1');
    expect(objects, 'one object for all the windows the outage lasted').to.have.length(1);
    const spec = written!.spec;
    expect(spec.connections.map((c) => [c.serverPort, c.count])).to.deep.equal([[443, 1], [80, 2]]);
    // Several windows merged: from the one that saw the first record to the one that saw the last.
    expect(Date.parse(spec.windowStart)).to.be.at.most(firstSeen);
    expect(Date.parse(spec.windowEnd)).to.be.greaterThan(lastSeen);
    expect(Date.parse(spec.windowEnd) - Date.parse(spec.windowStart)).to.be.at.least(2 * windowMs);
    expect(await metricValue(registry, 'netmap_sniffer_objects_written_total', { result: 'created' })).to.equal(1);
    expect(await metricValue(registry, 'netmap_sniffer_buffered_records')).to.equal(0);
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total')).to.equal(0);
    expect(reporting.reporter.connected).to.equal(true);
  });

  it('with a tiny memory bound, counts exactly what it drops and writes the rest when the API server is back', async () => {
    proxy.pause();
    const maxBufferBytes = 2_500;
    const { reporting, registry } = start('node-r2', { maxBufferBytes, clock });
    for (let port = 1; port <= 4; port++) reporting.buffer.connection(connection(port));
    await waitFor('a failed request', async () => (await metricValue(registry, 'netmap_sniffer_write_errors_total')) >= 1);
    for (let port = 5; port <= 20; port++) reporting.buffer.connection(connection(port));
    clock.advance(2 * windowMs);
    const dropped = await metricValue(registry, 'netmap_sniffer_dropped_records_total', { kind: 'connection', reason: 'memory' });
    expect(dropped).to.be.greaterThan(0);
    expect(dropped).to.equal(reporting.buffer.drops.connection.memory);
    expect(await metricValue(registry, 'netmap_sniffer_buffered_bytes')).to.be.at.most(maxBufferBytes);

    proxy.resume();
    const written = await waitFor('the buffered records', async () => {
      clock.advance(windowMs);
      const objects = await listObservations(admin, namespace, 'node-r2');
      const ports = objects.flatMap((o) => o.spec.connections.map((c) => c.serverPort));
      return ports.length === 20 - dropped && ports;
    });
    expect(written).to.include.members([1, 2, 3, 4], 'what came first was kept');
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total')).to.equal(dropped);
  });

  it('flushes the open window when it stops', async () => {
    const { reporting, registry } = start('node-r3', { windowMs: 60_000 });
    await waitFor('the first contact with the API server, before any record', () => reporting.reporter.connected);
    reporting.buffer.connection(connection(8443, Date.now()));
    await reporting.reporter.stop();
    const objects = await listObservations(admin, namespace, 'node-r3');
    expect(objects.map((o) => o.spec.connections.map((c) => c.serverPort))).to.deep.equal([[8443]]);
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total')).to.equal(0);
  });

  it('keeps its flush deadline when the API server is slow rather than down', async () => {
    // Real time (the request hangs on a real socket), with a generous margin: the server would
    // answer after 30 s and the deadline is 0.8 s, so stopping within 10 s can only be the deadline.
    proxy.delayResponses(30_000);
    const { reporting, registry } = start('node-r5', { windowMs: 60_000, flushTimeoutMs: 800, requestTimeoutMs: 60_000 });
    reporting.buffer.connection(connection(9001, Date.now()));
    const started = Date.now();
    await reporting.reporter.stop();
    expect(Date.now() - started).to.be.lessThan(10_000);
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total', { kind: 'connection', reason: 'shutdown' })).to.equal(1);
  });

  it('counts what it cannot write before its flush deadline as dropped at shutdown', async () => {
    proxy.pause();
    const { reporting, registry } = start('node-r4', { windowMs: 60_000, flushTimeoutMs: 600 });
    for (let i = 0; i < 3; i++) reporting.buffer.connection(connection(9000, Date.now()));
    reporting.buffer.dnsAnswer({ clientIP: '10.244.7.5', name: 'example.com', ips: ['192.0.2.7'], ttlSeconds: 60, seenAt: Date.now() });
    // Real time, generous margin: the deadline is 0.6 s; writes fail at once (refused), so only a
    // flush that ignored its deadline and kept retrying could take 5 s.
    const started = Date.now();
    await reporting.reporter.stop();
    expect(Date.now() - started).to.be.lessThan(5_000);
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total', { kind: 'connection', reason: 'shutdown' })).to.equal(3);
    expect(await metricValue(registry, 'netmap_sniffer_dropped_records_total', { kind: 'dnsAnswer', reason: 'shutdown' })).to.equal(1);
    proxy.resume();
    expect(await listObservations(admin, namespace, 'node-r4')).to.have.length(0);
  });
});
