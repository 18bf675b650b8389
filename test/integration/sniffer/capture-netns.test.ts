import { expect } from 'chai';
import { slotted } from '../../support/test-slot.js';
import { fileURLToPath } from 'node:url';
import type { ObservedConnection, ObservedDnsAnswer } from '../../../src/sniffer/core/observed.js';
import { readdir, readlink } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { createLogger } from '../../../src/shared/logger.js';
import { startSocketScanner } from '../../../src/sniffer/shell/socket-scan/socket-scanner.js';
import { deleteNamespaces, sh, Topology } from '../../support/netns/topology.js';
import type { NetnsProcess } from '../../support/netns/topology.js';
import { buildPodNetwork } from '../../support/netns/pod-network.js';

const script = (name: string) => fileURLToPath(new URL(`../../support/netns/${name}.js`, import.meta.url));
const prefix = slotted('nmit');

type Line = { type: string } & Partial<ObservedDnsAnswer> & Partial<ObservedConnection>;

function records(capture: NetnsProcess): Line[] {
  return capture.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Line];
    } catch {
      return [];
    }
  });
}

function waitForRecord(capture: NetnsProcess, match: Record<string, unknown>, timeoutMs = 8000): Promise<string> {
  return capture.waitForLine((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return Object.entries(match).every(([key, value]) => JSON.stringify(parsed[key]) === JSON.stringify(value));
    } catch {
      return false;
    }
  }, timeoutMs);
}

/**
 * A node in miniature: a "node" namespace (the host side) with two bridges, pods as namespaces
 * with veth pairs into them, a ClusterIP DNATed to a pod in the node's PREROUTING as kube-proxy
 * does, a real DNS server and real TCP clients and servers. The sniffer's capture runs in the
 * node namespace on `any` (Linux cooked capture) and on the client pod's veth (Ethernet). Not on
 * the bridge device: with br_netfilter loaded (as on most nodes, and on this machine) a packet
 * reaches the bridge device's capture only after PREROUTING, that is after DNAT.
 */
describe('sniffer packet capture in network namespaces (integration)', function () {
  this.timeout(60_000);
  const topology = new Topology(prefix);
  let onAny: NetnsProcess;
  let onVeth: NetnsProcess;

  before(async function () {
    this.timeout(30_000);
    await deleteNamespaces(prefix);
    await buildPodNetwork(topology);
    await topology.exec('node', 'ip6tables', '-t', 'nat', '-A', 'PREROUTING', '-d', 'fd00:10:96::50', '-p', 'tcp', '--dport', '80',
      '-j', 'DNAT', '--to-destination', '[fd00:244:2::20]:8080');

    onAny = topology.spawnNode('node', script('capture-runner'), 'any');
    onVeth = topology.spawnNode('node', script('capture-runner'), 'vcli');
    const zone = {
      'cart.shop.svc.cluster.local': [{ type: 'A', data: '10.96.0.50' }, { type: 'AAAA', data: 'fd00:10:96::50' }],
      'www.example.com': [{ type: 'CNAME', data: 'edge.cdn.example.net' }],
      'edge.cdn.example.net': [{ type: 'CNAME', data: 'pop1.cdn.example.net' }],
      'pop1.cdn.example.net': [{ type: 'A', data: '192.0.2.80', ttl: 17 }, { type: 'A', data: '192.0.2.81', ttl: 20 }, { type: 'AAAA', data: '2001:db8::80' }],
      'api.tcp.example': [{ type: 'CNAME', data: 'backend.example.net' }],
      'backend.example.net': [{ type: 'A', data: '198.51.100.7' }, { type: 'AAAA', data: '2001:db8::7' }],
      'db.tcp.example': [{ type: 'A', data: '198.51.100.8' }],
      'after.garbage.example': [{ type: 'A', data: '198.51.100.9' }],
    };
    const dnsServer = topology.spawnNode('dns', script('dns-server'), JSON.stringify(zone));
    const tcpServer = topology.spawnNode('srv', script('tcp-listen'), '8080');
    await Promise.all([
      onAny.waitForLine((l) => l.includes('"ready"')),
      onVeth.waitForLine((l) => l.includes('"ready"')),
      dnsServer.waitForLine((l) => l === 'ready'),
      tcpServer.waitForLine((l) => l === 'ready'),
    ]);
  });

  after(async function () {
    this.timeout(30_000);
    await topology.destroy();
    const left = (await deleteNamespaces(`${prefix}${topology.suffix}`));
    expect(left, 'namespaces left behind').to.deep.equal([]);
  });

  it('presents Linux cooked capture on any and Ethernet on a pod veth', () => {
    expect(JSON.parse(onAny.lines[0] ?? '{}')).to.include({ linkType: 'sll' });
    expect(JSON.parse(onVeth.lines[0] ?? '{}')).to.include({ linkType: 'ethernet' });
  });

  it('opens a tun device as raw IP', async () => {
    // A tun device without a process behind it carries no traffic; opening it shows how cap's
    // link type for raw IP is read.
    await topology.exec('node', 'ip', 'tuntap', 'add', 'tun0', 'mode', 'tun');
    await topology.exec('node', 'ip', 'link', 'set', 'tun0', 'up');
    const onTun = topology.spawnNode('node', script('capture-runner'), 'tun0');
    expect(JSON.parse(await onTun.waitForLine((l) => l.includes('"ready"')))).to.include({ linkType: 'raw' });
    await onTun.stop();
  });

  it('sees DNS answers over UDP, IPv4 and IPv6, with a CNAME chain mapped to the asked name', async () => {
    const v4 = await topology.exec('cli', process.execPath, script('dns-query'), '10.244.1.53', 'udp',
      'A:cart.shop.svc.cluster.local', 'A:WWW.Example.com', 'A:missing.example');
    expect(v4).to.include('10.96.0.50').and.include('NXDOMAIN');
    await topology.exec('cli', process.execPath, script('dns-query'), 'fd00:244:1::53', 'udp', 'AAAA:www.example.com', 'AAAA:cart.shop.svc.cluster.local');
    for (const capture of [onAny, onVeth]) {
      await waitForRecord(capture, { type: 'dns', clientIP: '10.244.1.10', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.50'] });
      await waitForRecord(capture, { type: 'dns', clientIP: '10.244.1.10', name: 'www.example.com', ips: ['192.0.2.80', '192.0.2.81'], ttlSeconds: 17 });
      await waitForRecord(capture, { type: 'dns', clientIP: 'fd00:244:1::10', name: 'www.example.com', ips: ['2001:db8::80'] });
      await waitForRecord(capture, { type: 'dns', clientIP: 'fd00:244:1::10', name: 'cart.shop.svc.cluster.local', ips: ['fd00:10:96::50'] });
    }
    const names = records(onVeth).filter((r) => r.type === 'dns').map((r) => r.name);
    expect(names).not.to.include('missing.example');
    expect(names).not.to.include('pop1.cdn.example.net');
  });

  it('sees DNS answers over TCP, several messages in one segment, IPv4 and IPv6', async () => {
    const out = await topology.exec('cli', process.execPath, script('dns-query'), '10.244.1.53', 'tcp', 'A:api.tcp.example', 'A:db.tcp.example');
    expect(out.trim().split('\n')).to.have.length(2);
    await topology.exec('cli', process.execPath, script('dns-query'), 'fd00:244:1::53', 'tcp', 'AAAA:api.tcp.example');
    for (const capture of [onAny, onVeth]) {
      await waitForRecord(capture, { type: 'dns', clientIP: '10.244.1.10', name: 'api.tcp.example', ips: ['198.51.100.7'] });
      await waitForRecord(capture, { type: 'dns', clientIP: '10.244.1.10', name: 'db.tcp.example', ips: ['198.51.100.8'] });
      await waitForRecord(capture, { type: 'dns', clientIP: 'fd00:244:1::10', name: 'api.tcp.example', ips: ['2001:db8::7'] });
    }
  });

  it('sees SYNs to the ClusterIP before DNAT, IPv4 and IPv6, and only the client side', async () => {
    const client = topology.spawnNode('cli', script('tcp-connect'), '10.96.0.50:80', '[fd00:10:96::50]:80');
    await client.waitForLine((l) => l === 'ready', 15_000);
    for (const capture of [onAny, onVeth]) {
      await waitForRecord(capture, { type: 'connection', clientIP: '10.244.1.10', serverIP: '10.96.0.50', serverPort: 80, source: 'SYN' });
      await waitForRecord(capture, { type: 'connection', clientIP: 'fd00:244:1::10', serverIP: 'fd00:10:96::50', serverPort: 80, source: 'SYN' });
    }
    // After DNAT the same SYN crosses br1 towards the pod: `any` sees that too, the client's veth does not.
    await waitForRecord(onAny, { type: 'connection', clientIP: '10.244.1.10', serverIP: '10.244.2.20', serverPort: 8080 });
    const fromServers = [...records(onAny), ...records(onVeth)].filter((r) => r.type === 'connection' && String(r.clientIP).includes('244.2.20'));
    expect(fromServers, 'SYN-ACKs are not connections').to.deep.equal([]);
    expect(records(onVeth).some((r) => r.type === 'connection' && r.serverIP === '10.244.2.20')).to.equal(false);
    await client.stop();
  });

  it('leaves out attempts nobody answered: a refused port and a port a firewall drops, IPv4 and IPv6', async () => {
    await topology.exec('srv', 'nft', 'add table inet nmdrop');
    await topology.exec('srv', 'nft', 'add chain inet nmdrop input { type filter hook input priority 0 ; }');
    await topology.exec('srv', 'nft', 'add rule inet nmdrop input tcp dport 8081 drop');
    try {
      await topology.exec('cli', 'python3', '-c', `
import socket
for family, host in ((socket.AF_INET, '10.244.2.20'), (socket.AF_INET6, 'fd00:244:2::20')):
    for port, wait in ((8079, 2), (8081, 1.5)):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(wait)
        try:
            s.connect((host, port))
        except OSError:
            pass
        s.close()
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(('10.244.2.20', 8080))
s.close()
`);
    } finally {
      await topology.exec('srv', 'nft', 'delete table inet nmdrop');
    }
    // Capture order is packet order: once the answered call after them is reported, the attempts would have been too.
    for (const capture of [onAny, onVeth]) {
      await waitForRecord(capture, { type: 'connection', clientIP: '10.244.1.10', serverIP: '10.244.2.20', serverPort: 8080, source: 'SYN' });
      const attempts = records(capture).filter((r) => r.type === 'connection' && (r.serverPort === 8079 || r.serverPort === 8081));
      expect(attempts, 'connections never answered').to.deep.equal([]);
    }
  });

  it('sees an IPv6 SYN behind a destination options header', async () => {
    // Linux puts the header in front of every packet of a socket given IPV6_DSTOPTS (here one PadN option).
    await topology.exec('cli', 'python3', '-c', `
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.settimeout(5)
s.connect(('fd00:244:2::20', 8080))
s.close()
`);
    for (const capture of [onAny, onVeth]) {
      await waitForRecord(capture, { type: 'connection', clientIP: 'fd00:244:1::10', serverIP: 'fd00:244:2::20', serverPort: 8080, source: 'SYN' });
    }
  });

  it('counts what it skipped and crashes on nothing, including garbage sent to and from port 53', async () => {
    // Hostile "responses": random bytes from port 53, a truncated message, a pointer loop.
    await topology.exec('srv', process.execPath, '-e', `
      const s = require('node:dgram').createSocket('udp4');
      const loop = Buffer.from([0,1,0x81,0x80,0,1,0,0,0,0,0,0,0xc0,12,0,1,0,1]);
      const messages = [loop, Buffer.from([1,2,3]), require('node:crypto').randomBytes(300)];
      s.bind(53, '10.244.2.20', async () => {
        for (const m of messages) await new Promise((r) => s.send(m, 40000, '10.244.1.10', r));
        s.close();
      });`);
    // A name asked only here: once its answer is seen, the garbage before it was handled too
    // (libpcap delivers in order, in batches, without immediate mode).
    await topology.exec('cli', process.execPath, script('dns-query'), '10.244.1.53', 'udp', 'A:after.garbage.example');
    await waitForRecord(onVeth, { type: 'dns', clientIP: '10.244.1.10', name: 'after.garbage.example' });
    onVeth.child.kill('SIGTERM');
    const stats = JSON.parse(await onVeth.waitForLine((l) => l.includes('"stats"'))) as {
      stats: { received: number; dropped: number; delivered: number };
      metrics: { name: string; values: { value: number; labels: Record<string, string> }[] }[];
    };
    const metric = (name: string) => stats.metrics.find((m) => m.name === name)?.values ?? [];
    const malformed = metric('netmap_sniffer_malformed_total');
    expect(malformed.find((v) => v.labels.reason === 'dns-name-loop')?.value).to.equal(1);
    expect(malformed.find((v) => v.labels.reason === 'dns-truncated')?.value).to.be.at.least(1);
    expect(metric('netmap_sniffer_packets_ignored_total').find((v) => v.labels.reason === 'dns-rcode')?.value).to.be.at.least(1);
    expect(stats.stats.delivered).to.be.greaterThan(10);
    expect(stats.stats.received, 'libpcap counts what it delivered').to.be.at.least(stats.stats.delivered);
    expect(stats.stats.dropped).to.equal(0);
    expect(await onVeth.exited).to.equal(0);
  });

  it('finds long-lived connections by the socket scan, client side only, server ports right, each namespace read once', async () => {
    const sleeper = 'setInterval(() => {}, 60000); process.on("SIGTERM", () => process.exit(0))';
    // Three more processes in the client namespace: a per-process scan would report everything three times more.
    for (let i = 0; i < 3; i++) topology.spawnNode('cli', '-e', sleeper);
    const clients = topology.spawnNode('cli', script('tcp-connect'),
      '10.96.0.50:80', '[fd00:10:96::50]:80', '10.244.2.20:8080', '[fd00:244:2::20]:8080');
    // The server namespace listens on 8080 and is also a client itself, by IPv4 and by an
    // IPv4-mapped IPv6 socket (which /proc lists in tcp6 as ::ffff:a.b.c.d).
    const serverAsClient = topology.spawnNode('srv', script('tcp-connect'), '10.244.1.53:53', '[::ffff:10.244.1.53]:53');
    await Promise.all([clients.waitForLine((l) => l === 'ready', 15_000), serverAsClient.waitForLine((l) => l === 'ready', 15_000)]);
    const srvTcp6 = await topology.exec('srv', 'cat', '/proc/net/tcp6');
    expect(srvTcp6, 'the IPv4-mapped client socket').to.match(/0000000000000000FFFF0000[0-9A-F]{8}:0035 01/);

    const found: ObservedConnection[] = [];
    const registry = new Registry();
    const scanner = startSocketScanner({
      procRoot: '/proc', intervalMs: 3_600_000, registry, logger: createLogger('socket-scan-test', 'warn'),
      sink: { dnsAnswer: () => undefined, connection: (c) => found.push(c) },
    });
    try {
      await scanner.scanOnce();
    } finally {
      scanner.stop();
    }
    const ours = found
      // This topology's pods only: other checkouts' clusters on the machine use other 10.244 subnets.
      .filter((c) => /^(10\.244\.[12]\.|fd00:244:[12]::)/.test(c.clientIP))
      .map((c) => `${c.clientIP} -> ${c.serverIP} ${c.serverPort} ${c.source}`)
      .sort();
    expect(ours).to.deep.equal([
      '10.244.1.10 -> 10.244.2.20 8080 SocketScan',
      '10.244.1.10 -> 10.96.0.50 80 SocketScan',
      '10.244.2.20 -> 10.244.1.53 53 SocketScan',
      'fd00:244:1::10 -> fd00:10:96::50 80 SocketScan',
      'fd00:244:1::10 -> fd00:244:2::20 8080 SocketScan',
    ]);

    const links = new Set<string>();
    for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
      const link = await readlink(`/proc/${pid}/ns/net`).catch(() => undefined);
      if (link) links.add(link);
    }
    const last = scanner.lastScan();
    expect(last?.namespaces, 'namespaces scanned vs distinct ns/net links').to.be.within(links.size - 2, links.size + 2);
    expect((last?.tablesRead ?? 0) + (last?.tablesSkipped ?? 0), 'tcp and tcp6 of each namespace, read or skipped').to.equal(2 * (last?.namespaces ?? 0));
    expect(last?.tablesRead, 'the client namespace has sockets of both families').to.be.at.least(2);
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.find((m) => m.name === 'netmap_sniffer_socket_scan_namespaces')?.values[0]?.value).to.equal(last?.namespaces);
    const childEhashEntries = Number((await sh('sysctl', '-n', 'net.ipv4.tcp_child_ehash_entries')).trim());
    expect(metrics.find((m) => m.name === 'netmap_sniffer_tcp_child_ehash_entries')?.values[0]?.value, "the node's TCP hash setting").to.equal(childEhashEntries);
  });
  it('reports a namespace from its last read while its TCP counters stand still, and reads it again when a connection opens', async () => {
    const clients = topology.spawnNode('cli', script('tcp-connect'), '10.244.2.20:8080');
    await clients.waitForLine((l) => l === 'ready', 15_000);
    const scans: string[][] = [];
    let found: string[] = [];
    const scanner = startSocketScanner({
      procRoot: '/proc', intervalMs: 3_600_000, registry: new Registry(), logger: createLogger('socket-scan-test', 'warn'),
      sink: { dnsAnswer: () => undefined, connection: (c) => { if (c.clientIP === '10.244.1.10') found.push(`${c.serverIP} ${c.serverPort}`); } },
    });
    const scan = async () => {
      found = [];
      await scanner.scanOnce();
      scans.push([...new Set(found)].sort());
      return scanner.lastScan();
    };
    try {
      const first = await scan();
      expect(first?.reused, 'a fresh scanner reads every namespace').to.equal(0);
      const second = await scan();
      expect(second?.reused, 'the namespaces without new connections').to.be.at.least(1);
      expect(scans[1], 'the reused namespace reports the same connections').to.deep.equal(scans[0]);
      const more = topology.spawnNode('cli', script('tcp-connect'), '10.244.1.53:53');
      await more.waitForLine((l) => l === 'ready', 15_000);
      await scan();
      expect(scans[2]).to.deep.equal([...(scans[0] ?? []), '10.244.1.53 53'].sort());
      await more.stop();
      await scan();
      expect(scans[3], 'a closed connection is gone at the next scan').to.deep.equal(scans[0]);
    } finally {
      scanner.stop();
      await clients.stop();
    }
  });
});
