import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { maxHttpPathsPerServer } from '../../../src/sniffer/core/observation-window.js';
import type { ObservedHttpRequest } from '../../../src/sniffer/core/observed.js';
import { buildPodNetwork } from '../../support/netns/pod-network.js';
import { deleteNamespaces, Topology } from '../../support/netns/topology.js';
import type { NetnsProcess } from '../../support/netns/topology.js';
import { slotted } from '../../support/test-slot.js';

const script = (name: string) => fileURLToPath(new URL(`../../support/netns/${name}.js`, import.meta.url));
const prefix = slotted('nmht');
const snapLength = 1024;

interface RunnerStats {
  stats: { received: number; dropped: number; ifDropped: number; delivered: number };
  parts: NetworkObservationSpec[];
  metrics: { name: string; values: { value: number; labels: Record<string, string> }[] }[];
}

function requests(capture: NetnsProcess): ObservedHttpRequest[] {
  return capture.lines.flatMap((line) => {
    const parsed = JSON.parse(line) as { type: string } & ObservedHttpRequest;
    return parsed.type === 'http' ? [parsed] : [];
  });
}

const b64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');

/**
 * The HTTP capture with real clients and servers in network namespaces (the sniffer tests' pod
 * network: a node namespace with two bridges, kube-proxy-like DNAT of a ClusterIP): a real Node
 * HTTP server, a real keep-alive client (IPv4 and IPv6, through the ClusterIP), and raw TCP
 * payloads for what client libraries do not send on purpose (a line split over segments,
 * pipelining, a line longer than the snap length, TLS, HTTP/2). On the client's veth every
 * segment is seen once, so counts there are exact.
 */
describe('sniffer HTTP capture in network namespaces (integration)', function () {
  this.timeout(90_000);
  const topology = new Topology(prefix);
  let onAny: NetnsProcess;
  let onVeth: NetnsProcess;
  let vethStats: RunnerStats;
  let anyStats: RunnerStats;

  before(async function () {
    this.timeout(40_000);
    await deleteNamespaces(prefix);
    await buildPodNetwork(topology);
    await topology.exec('node', 'ip6tables', '-t', 'nat', '-A', 'PREROUTING', '-d', 'fd00:10:96::50', '-p', 'tcp', '--dport', '80',
      '-j', 'DNAT', '--to-destination', '[fd00:244:2::20]:8080');
    onAny = topology.spawnNode('node', script('http-capture-runner'), 'any', String(snapLength));
    onVeth = topology.spawnNode('node', script('http-capture-runner'), 'vcli', String(snapLength));
    const servers = [topology.spawnNode('srv', script('http-server'), '8080'), topology.spawnNode('srv', script('http-server'), '8081')];
    await Promise.all([
      onAny.waitForLine((l) => l.includes('"ready"')),
      onVeth.waitForLine((l) => l.includes('"ready"')),
      ...servers.map((s) => s.waitForLine((l) => l === 'ready')),
    ]);

    const keepAlive = JSON.parse(await topology.exec('cli', process.execPath, script('http-client'), 'http://10.96.0.50:80',
      'GET /users/8812', 'GET /users/17?expand=orders', 'POST /orders', 'DELETE /carts/3F2504E0-4F89-11D3-9A0C-0305E82C3301/items/5',
      'PATCH /v2/catalogue-2024')) as { statuses: number[]; reused: number };
    expect(keepAlive).to.deep.equal({ statuses: [200, 200, 200, 200, 200], reused: 4 });
    const v6 = JSON.parse(await topology.exec('cli', process.execPath, script('http-client'), 'http://[fd00:10:96::50]:80',
      'GET /healthz', 'OPTIONS /healthz')) as { statuses: number[]; reused: number };
    expect(v6).to.deep.equal({ statuses: [200, 200], reused: 1 });

    const send = (...chunks: string[]) => topology.exec('cli', process.execPath, script('tcp-send'), '10.244.2.20', '8080', ...chunks.map(b64));
    await send('GET /split/he', 're HTTP/1.1\r\nHost: srv\r\n\r\n');
    await send('GET /pipe/a HTTP/1.1\r\nHost: srv\r\n\r\nPOST /pipe/b HTTP/1.1\r\nHost: srv\r\nContent-Length: 5\r\n\r\nhelloHEAD /pipe/c HTTP/1.1\r\nHost: srv\r\n\r\n');
    await send(`GET /${'seg/'.repeat(400)} HTTP/1.1\r\nHost: srv\r\n\r\n`);
    await send('\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00');
    await send('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

    const distinct = Array.from({ length: maxHttpPathsPerServer + 6 }, (_, i) => `GET /catalog/entry-${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
    const capped = JSON.parse(await topology.exec('cli', process.execPath, script('http-client'), 'http://10.244.2.20:8081', ...distinct)) as { statuses: number[] };
    expect(capped.statuses).to.have.length(maxHttpPathsPerServer + 6);

    const stop = async (capture: NetnsProcess): Promise<RunnerStats> => {
      capture.child.kill('SIGTERM');
      return JSON.parse(await capture.waitForLine((l) => l.includes('"stats"'), 15_000)) as RunnerStats;
    };
    [vethStats, anyStats] = await Promise.all([stop(onVeth), stop(onAny)]);
  });

  after(async function () {
    this.timeout(30_000);
    await topology.destroy();
    expect(await deleteNamespaces(`${prefix}${topology.suffix}`), 'namespaces left behind').to.deep.equal([]);
  });

  const metric = (stats: RunnerStats, name: string) => stats.metrics.find((m) => m.name === name)?.values ?? [];
  const skipped = (stats: RunnerStats) => Object.fromEntries(metric(stats, 'netmap_sniffer_http_skipped_total').map((v) => [v.labels.reason, v.value]));

  it('reads every request of a keep-alive connection, IPv4 and IPv6, before DNAT, with templated paths', () => {
    const seen = requests(onVeth).filter((r) => r.serverPort === 80).map((r) => `${r.clientIP} ${r.serverIP} ${r.method} ${r.path}`);
    expect(seen).to.deep.equal([
      '10.244.1.10 10.96.0.50 GET /users/{*}',
      '10.244.1.10 10.96.0.50 GET /users/{*}',
      '10.244.1.10 10.96.0.50 POST /orders',
      '10.244.1.10 10.96.0.50 DELETE /carts/{*}/items/{*}',
      '10.244.1.10 10.96.0.50 PATCH /v2/catalogue-2024',
      'fd00:244:1::10 fd00:10:96::50 GET /healthz',
      'fd00:244:1::10 fd00:10:96::50 OPTIONS /healthz',
    ]);
    // On `any` the same requests also cross br1 after DNAT, towards the pod's address and port.
    const afterDnat = requests(onAny).filter((r) => r.serverIP === '10.244.2.20' && r.serverPort === 8080 && r.path === '/orders');
    expect(afterDnat.length).to.be.at.least(1);
  });

  it('reads pipelined requests in one segment and counts split, too long, TLS and HTTP/2 payloads', () => {
    const direct = requests(onVeth).filter((r) => r.serverPort === 8080).map((r) => `${r.method} ${r.path}`);
    expect(direct).to.deep.equal(['GET /pipe/a', 'POST /pipe/b', 'HEAD /pipe/c']);
    expect(skipped(vethStats)).to.deep.equal({ 'line-split': 1, 'line-too-long': 1, tls: 1, http2: 1 });
  });

  it('lets only request-like segments through the kernel filter, cut to the snap length, with no loss', () => {
    // 7 keep-alive requests, 5 raw payloads (the split line's second segment and the long line's
    // second segment do not start like a request), 70 requests to the capped server.
    expect(vethStats.stats).to.include({ delivered: 7 + 5 + maxHttpPathsPerServer + 6, dropped: 0 });
    expect(vethStats.stats.received).to.equal(vethStats.stats.delivered);
    expect(metric(vethStats, 'netmap_sniffer_packets_ignored_total')).to.deep.equal([]);
    expect(metric(vethStats, 'netmap_sniffer_http_requests_total')[0]?.value).to.equal(7 + 3 + maxHttpPathsPerServer + 6);
    expect(metric(anyStats, 'netmap_sniffer_http_pcap_dropped_total')[0]?.value).to.equal(0);
  });

  it('caps distinct paths per server in the window and reports the overflow', () => {
    const records = vethStats.parts.flatMap((p) => p.httpRequests ?? []);
    const capped = records.filter((r) => r.serverPort === 8081);
    expect(capped).to.have.length(maxHttpPathsPerServer);
    expect(vethStats.parts.flatMap((p) => p.httpOverflow ?? [])).to.deep.equal([{ clientIP: '10.244.1.10', serverIP: '10.244.2.20', serverPort: 8081, count: 6 }]);
    const users = records.find((r) => r.path === '/users/{*}');
    expect(users).to.include({ clientIP: '10.244.1.10', serverIP: '10.96.0.50', serverPort: 80, count: 2 });
    expect(users?.methods).to.deep.equal(['GET']);
    expect(records.find((r) => r.path === '/healthz')?.methods).to.deep.equal(['GET', 'OPTIONS']);
  });
});
