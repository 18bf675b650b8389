import { expect } from 'chai';
import { slotted } from '../../support/test-slot.js';
import { fileURLToPath } from 'node:url';
import { deleteNamespaces, Topology } from '../../support/netns/topology.js';
import { addNodeWithSender } from '../../support/netns/node-with-sender.js';
import type { NetnsProcess } from '../../support/netns/topology.js';

const runner = fileURLToPath(new URL('../../support/netns/capture-runner.js', import.meta.url));
const drainRunner = fileURLToPath(new URL('../../support/netns/capture-drain-runner.js', import.meta.url));
const prefix = slotted('nmps');

interface RunnerStats {
  dnsAnswers: number;
  stats: { received: number; dropped: number; ifDropped: number; delivered: number };
  metrics: { name: string; values: { value: number; labels: Record<string, string> }[] }[];
}

/** `count` DNS responses (one A answer each) from 10.211.0.2:53, sent as fast as the socket takes them. */
const burst = (count: number) => `
  const dnsPacket = require('dns-packet');
  const s = require('node:dgram').createSocket('udp4');
  const m = dnsPacket.encode({ id: 1, type: 'response', questions: [{ type: 'A', name: 'burst.example' }],
    answers: [{ type: 'A', name: 'burst.example', ttl: 30, data: '192.0.2.9' }] });
  s.bind(53, '10.211.0.2', async () => {
    for (let i = 0; i < ${count}; i++) await new Promise((r) => s.send(m, 40000, '10.211.0.1', r));
    s.close();
  });`;

async function stopAndReadStats(capture: NetnsProcess): Promise<RunnerStats> {
  capture.child.kill('SIGTERM');
  const stats = JSON.parse(await capture.waitForLine((l) => l.includes('"stats"'))) as RunnerStats;
  expect(await capture.exited).to.equal(0);
  return stats;
}

const metric = (stats: RunnerStats, name: string) => stats.metrics.find((m) => m.name === name)?.values ?? [];

/**
 * libpcap's own counters (pcap_stats through patches/cap-0.2.1.patch), read from a real capture:
 * a sender namespace with a veth into a "node" namespace, where capture-runner captures on `any`.
 */
describe('sniffer pcap statistics (integration)', function () {
  this.timeout(60_000);
  const topology = new Topology(prefix);

  before(async function () {
    this.timeout(30_000);
    await deleteNamespaces(prefix);
    await addNodeWithSender(topology, '10.211.0');
  });

  after(async function () {
    this.timeout(30_000);
    await topology.destroy();
    expect(await deleteNamespaces(`${prefix}${topology.suffix}`), 'namespaces left behind').to.deep.equal([]);
  });

  it('reads received packets from libpcap, growing with traffic, and exports them as counters', async () => {
    const capture = topology.spawnNode('node', runner, 'any', String(16 * 1024 * 1024), 'count');
    await capture.waitForLine((l) => l.includes('"ready"'));
    await topology.exec('snd', process.execPath, '-e', burst(500));
    // Without immediate mode libpcap hands over a batch at the latest after its 1 s read timeout.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await topology.exec('snd', process.execPath, '-e', burst(700));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { stats, dnsAnswers, ...rest } = await stopAndReadStats(capture);
    // On `any` each response is seen once, on vsnd, as it arrives.
    expect(stats.received, 'pcap received').to.be.at.least(1200).and.below(1300);
    expect(stats.dropped).to.equal(0);
    expect(stats.ifDropped).to.equal(0);
    expect(stats.delivered).to.equal(stats.received);
    expect(dnsAnswers).to.equal(1200);
    const received = metric({ stats, dnsAnswers, ...rest }, 'netmap_sniffer_pcap_received_total');
    expect(received).to.deep.equal([{ value: stats.received, labels: { device: 'any' } }]);
    expect(metric({ stats, dnsAnswers, ...rest }, 'netmap_sniffer_pcap_dropped_total')).to.deep.equal([{ value: 0, labels: { device: 'any' } }]);
    expect(metric({ stats, dnsAnswers, ...rest }, 'netmap_sniffer_pcap_interface_dropped_total')).to.deep.equal([{ value: 0, labels: { device: 'any' } }]);
  });

  it('counts the drops of a full buffer: a stopped reader, a small buffer and a burst', async () => {
    const capture = topology.spawnNode('node', runner, 'any', String(64 * 1024), 'count');
    await capture.waitForLine((l) => l.includes('"ready"'));
    // `ip netns exec` execs node, so this pid is the capturing process: stopped, it reads nothing
    // while the kernel keeps filling its 64 KiB buffer.
    process.kill(capture.child.pid ?? 0, 'SIGSTOP');
    try {
      await topology.exec('snd', process.execPath, '-e', burst(5000));
    } finally {
      process.kill(capture.child.pid ?? 0, 'SIGCONT');
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const runnerStats = await stopAndReadStats(capture);
    const { stats, dnsAnswers } = runnerStats;
    expect(stats.dropped, 'pcap dropped').to.be.greaterThan(0);
    expect(stats.delivered, 'delivered').to.be.greaterThan(0).and.below(5000);
    // The filter also lets through IPv6 packets that start with an extension header, such as the
    // MLD reports a namespace sends when its links come up; they are delivered and ignored.
    const notDns = metric(runnerStats, 'netmap_sniffer_packets_total')
      .filter((v) => v.labels.kind !== 'dns')
      .reduce((sum, v) => sum + v.value, 0);
    expect(notDns, 'packets other than the burst').to.be.below(10);
    expect(dnsAnswers).to.equal(stats.delivered - notDns);
    // On Linux libpcap's received includes the dropped packets.
    expect(stats.received).to.equal(stats.delivered + stats.dropped);
    expect(stats.received).to.be.at.least(5000).and.below(5100);
  });

  it('drains what libpcap still holds in a partly filled batch, so a shutdown right after traffic loses nothing', async () => {
    const capture = topology.spawnNode('node', drainRunner, 'any');
    await capture.waitForLine((l) => l.includes('"ready"'));
    await topology.exec('snd', process.execPath, '-e', burst(300));
    // At once: the batch holding the burst is not due before libpcap's 1 s read timeout.
    capture.child.kill('SIGTERM');
    const drained = JSON.parse(await capture.waitForLine((l) => l.includes('"drained"'))) as {
      beforeDrain: number; afterDrain: number; drainMs: number; stats: { received: number; dropped: number; delivered: number };
    };
    expect(await capture.exited).to.equal(0);
    expect(drained.afterDrain, JSON.stringify(drained)).to.equal(300);
    expect(drained.stats).to.deep.include({ received: 300, dropped: 0, delivered: 300 });
    expect(drained.drainMs).to.be.below(1250);
  });
});
