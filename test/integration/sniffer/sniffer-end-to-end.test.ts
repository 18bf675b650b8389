import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { StoredObservation } from './observation-api.js';
import { ensureNamespace, listObservations, observationResource } from './observation-api.js';
import { installCrds } from '../../support/crds.js';
import { deleteNamespaces, NetnsProcess, Topology } from '../../support/netns/topology.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { snifferKubeConfig } from '../../support/sniffer-rbac.js';
import { waitFor } from '../../support/wait-for.js';
import { writeServiceAccountKubeconfig } from '../../support/service-account-kubeconfig.js';
import { buildPodNetwork } from '../../support/netns/pod-network.js';
import { forwardUnixToTcp } from '../../support/netns/unix-to-tcp.js';
import { slotted, slottedPort } from '../../support/test-slot.js';

const script = (name: string) => fileURLToPath(new URL(`../../support/netns/${name}.js`, import.meta.url));
const snifferMain = fileURLToPath(new URL('../../../src/sniffer/main.js', import.meta.url));
const prefix = slotted('nme2e');
const namespace = 'sniffer-end-to-end';
const httpPort = slottedPort(9478);
const windowSeconds = 2;

type DnsRecord = StoredObservation['spec']['dnsAnswers'][number];
type ConnectionRecord = StoredObservation['spec']['connections'][number];

/**
 * The real sniffer process (`node dist/src/sniffer/main.js`) on a node in miniature: a "node"
 * namespace with bridges and pods as namespaces (as in capture-netns.test.ts), a real DNS server,
 * real TCP clients and servers, a ClusterIP DNATed to a pod. The sniffer runs in the node
 * namespace, captures on `any`, scans the machine's /proc, and writes NetworkObservations as its
 * ServiceAccount (config/rbac) into the real API server, reached on the same loopback address
 * through a Unix socket, so the kubeconfig is the control plane's own server URL and CA.
 */
describe('sniffer end to end: real process, real packets, real API server (integration)', function () {
  this.timeout(90_000);
  const topology = new Topology(prefix);
  const nodeName = `e2e-node-${topology.suffix}`;
  const workDir = mkdtempSync(join(tmpdir(), 'netmap-sniffer-e2e-'));
  let admin: KubeConfig;
  let sniffer: NetnsProcess | undefined;
  let apiForward: { close(): Promise<void> } | undefined;

  // The sniffer's port is in the node namespace: ask from there.
  const http = async (path: string): Promise<{ status: number; body: string }> => {
    const out = await topology.exec('node', process.execPath, '-e', `
      fetch('http://127.0.0.1:${httpPort}${path}', { signal: AbortSignal.timeout(5000) })
        .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })));`);
    return JSON.parse(out) as { status: number; body: string };
  };
  const metricSum = async (name: string, labels = ''): Promise<number> => {
    const { body } = await http('/metrics');
    return body.split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .filter((line) => line.includes(labels))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  };
  const observed = async (): Promise<{ dns: DnsRecord[]; connections: ConnectionRecord[] }> => {
    const objects = await listObservations(admin, namespace, nodeName);
    return { dns: objects.flatMap((o) => o.spec.dnsAnswers), connections: objects.flatMap((o) => o.spec.connections) };
  };
  const waitForDns = (match: Partial<DnsRecord>, timeoutMs = 20_000) =>
    waitFor(`DNS answer ${JSON.stringify(match)} in the API server`, async () =>
      (await observed()).dns.find((r) => Object.entries(match).every(([k, v]) => JSON.stringify(r[k as keyof DnsRecord]) === JSON.stringify(v))), timeoutMs);
  const waitForConnection = (match: Partial<ConnectionRecord>, source: 'SYN' | 'SocketScan', timeoutMs = 20_000) =>
    waitFor(`connection ${JSON.stringify(match)} (${source}) in the API server`, async () =>
      (await observed()).connections.find((r) => r.sources.includes(source)
        && Object.entries(match).every(([k, v]) => JSON.stringify(r[k as keyof ConnectionRecord]) === JSON.stringify(v))), timeoutMs);

  before(async function () {
    this.timeout(60_000);
    const controlPlane = await sharedControlPlane();
    admin = controlPlane.admin();
    await installCrds(admin);
    await ensureNamespace(admin, namespace);
    writeServiceAccountKubeconfig(await snifferKubeConfig(controlPlane, namespace), join(workDir, 'kubeconfig'), namespace);
    const api = new URL(admin.getCurrentCluster()?.server ?? '');
    if (api.hostname !== '127.0.0.1') throw new Error(`expected the API server on 127.0.0.1, not ${api.hostname}`);
    const apiPort = Number(api.port);

    await deleteNamespaces(prefix);
    await buildPodNetwork(topology);

    const socketPath = join(workDir, 'api.sock');
    apiForward = await forwardUnixToTcp(socketPath, { host: '127.0.0.1', port: apiPort });
    const forward = topology.spawnNode('node', script('tcp-to-unix'), String(apiPort), socketPath);
    const zone = {
      'cart.shop.svc.cluster.local': [{ type: 'A', data: '10.96.0.50' }, { type: 'AAAA', data: 'fd00:10:96::50' }],
      'www.example.com': [{ type: 'CNAME', data: 'edge.cdn.example.net' }],
      'edge.cdn.example.net': [{ type: 'A', data: '192.0.2.80' }, { type: 'A', data: '192.0.2.81' }],
      ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`last${i}.example`, [{ type: 'A', data: `198.51.100.${90 + i}` }]])),
    };
    const dnsServer = topology.spawnNode('dns', script('dns-server'), JSON.stringify(zone));
    const tcpServer = topology.spawnNode('srv', script('tcp-listen'), '8080');
    const httpServer = topology.spawnNode('srv', script('http-server'), '8081');
    await Promise.all([forward, dnsServer, tcpServer, httpServer].map((p) => p.waitForLine((l) => l === 'ready')));

    // Logs go to stderr: merge them into the lines the test reads. `exec` keeps the pid node's.
    const child = spawn('ip', ['netns', 'exec', topology.ns('node'), 'sh', '-c', `exec "${process.execPath}" "${snifferMain}" 2>&1`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        NODE_NAME: nodeName,
        POD_NAMESPACE: namespace,
        KUBECONFIG: join(workDir, 'kubeconfig'),
        CAPTURE_DEVICE: 'any',
        PROC_ROOT: '/proc',
        WINDOW_SECONDS: String(windowSeconds),
        SCAN_INTERVAL_SECONDS: '1',
        HTTP_PORT: String(httpPort),
        HTTP_CAPTURE: 'true',
        LOG_LEVEL: 'info',
      },
    });
    sniffer = new NetnsProcess(child);
    await sniffer.waitForLine((l) => l.includes('"sniffer started"'), 20_000);
  });

  after(async function () {
    this.timeout(60_000);
    await sniffer?.stop().catch(() => undefined);
    await topology.destroy();
    await apiForward?.close();
    rmSync(workDir, { recursive: true, force: true });
    if (admin) {
      await admin.makeApiClient(CustomObjectsApi).deleteCollectionNamespacedCustomObject({ ...observationResource(namespace) }).catch(() => undefined);
    }
    expect(await deleteNamespaces(`${prefix}${topology.suffix}`), 'namespaces left behind').to.deep.equal([]);
  });

  it('answers /healthz and /readyz once connected to the API server', async () => {
    expect(await http('/healthz')).to.deep.include({ status: 200 });
    await waitFor('/readyz 200', async () => (await http('/readyz')).status === 200, 15_000);
  });

  it('writes the DNS answers clients got, with the client IP and the asked name (CNAMEs followed)', async () => {
    await topology.exec('cli', process.execPath, script('dns-query'), '10.244.1.53', 'udp', 'A:cart.shop.svc.cluster.local', 'A:www.example.com');
    await topology.exec('cli', process.execPath, script('dns-query'), 'fd00:244:1::53', 'tcp', 'AAAA:cart.shop.svc.cluster.local');
    await waitForDns({ clientIP: '10.244.1.10', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.50'] });
    await waitForDns({ clientIP: '10.244.1.10', name: 'www.example.com', ips: ['192.0.2.80', '192.0.2.81'] });
    await waitForDns({ clientIP: 'fd00:244:1::10', name: 'cart.shop.svc.cluster.local', ips: ['fd00:10:96::50'] });
    const names = (await observed()).dns.map((r) => r.name);
    expect(names, 'the CNAME target is not reported as a name of its own').not.to.include('edge.cdn.example.net');
  });

  it('writes the SYN to the ClusterIP (before DNAT) and the socket scan of the long-lived connection, server port right', async () => {
    // One connection through the Service, one straight to the pod; both stay open for the scan.
    const client = topology.spawnNode('cli', script('tcp-connect'), '10.96.0.50:80', '10.244.2.20:8080');
    await client.waitForLine((l) => l === 'ready', 15_000);
    const syn = await waitForConnection({ clientIP: '10.244.1.10', serverIP: '10.96.0.50', serverPort: 80, protocol: 'TCP' }, 'SYN');
    expect(syn.count).to.be.at.least(1);
    // The client's socket keeps the ClusterIP (conntrack undoes the DNAT on the way back); the
    // scan reports the server's port, not the client's ephemeral one.
    await waitForConnection({ clientIP: '10.244.1.10', serverIP: '10.96.0.50', serverPort: 80 }, 'SocketScan');
    await waitForConnection({ clientIP: '10.244.1.10', serverIP: '10.244.2.20', serverPort: 8080 }, 'SocketScan');
    const fromServer = (await observed()).connections.filter((r) => r.clientIP === '10.244.2.20');
    expect(fromServer, 'the server side (it listens on 8080) is never reported as a client').to.deep.equal([]);
  });

  it('writes HTTP requests with templated paths and merged methods (HTTP_CAPTURE=true)', async () => {
    const out = JSON.parse(await topology.exec('cli', process.execPath, script('http-client'), 'http://10.244.2.20:8081',
      'GET /users/42?expand=1', 'POST /users/43', 'GET /healthz')) as { statuses: number[] };
    expect(out.statuses).to.deep.equal([200, 200, 200]);
    const users = await waitFor('the HTTP request record in the API server', async () => {
      const records = (await listObservations(admin, namespace, nodeName)).flatMap((o) => o.spec.httpRequests ?? []);
      const found = records.filter((r) => r.clientIP === '10.244.1.10' && r.serverPort === 8081 && r.path === '/users/{*}');
      const methods = new Set(found.flatMap((r) => r.methods));
      return methods.has('GET') && methods.has('POST') ? found : undefined;
    }, 20_000);
    expect(users[0]).to.include({ serverIP: '10.244.2.20' });
    const paths = (await listObservations(admin, namespace, nodeName)).flatMap((o) => o.spec.httpRequests ?? []).filter((r) => r.serverPort === 8081).map((r) => r.path);
    expect([...new Set(paths)].sort()).to.deep.equal(['/healthz', '/users/{*}']);
    expect(await metricSum('netmap_sniffer_http_requests_total')).to.be.at.least(3);
    const { body } = await http('/metrics');
    expect(body).to.match(/^netmap_sniffer_http_pcap_dropped_total\{device="any"\} 0$/m);
  });

  it('exports libpcap counters that move with traffic, and its own metrics', async () => {
    const before = await metricSum('netmap_sniffer_pcap_received_total', 'device="any"');
    expect(before).to.be.greaterThan(0);
    await topology.exec('cli', process.execPath, script('dns-query'), '10.244.1.53', 'udp', 'A:cart.shop.svc.cluster.local', 'A:www.example.com');
    await waitFor('pcap received to grow', async () => (await metricSum('netmap_sniffer_pcap_received_total', 'device="any"')) > before, 10_000);
    const { body } = await http('/metrics');
    expect(body).to.match(/^netmap_sniffer_pcap_dropped_total\{device="any"\} 0$/m);
    expect(body).to.match(/^netmap_sniffer_pcap_interface_dropped_total\{device="any"\} 0$/m);
    expect(body).to.match(/^# TYPE netmap_sniffer_pcap_received_total counter$/m);
    expect(await metricSum('netmap_sniffer_packets_total', 'kind="dns"')).to.be.greaterThan(0);
  });

  it('flushes the last window on SIGTERM: what it saw just before is in the API server after it exits 0', async () => {
    // A name the sniffer has seen but not yet written: if a window closes in between, try the next.
    let last: number | undefined;
    for (let i = 0; i < 5 && last === undefined; i++) {
      const seen = await metricSum('netmap_sniffer_packets_total', 'kind="dns"');
      await topology.exec('cli', process.execPath, script('dns-query'), '10.244.1.53', 'udp', `A:last${i}.example`);
      // Seen = handed to the sniffer (libpcap delivers in batches, within its 1 s read timeout).
      await waitFor('the answer to reach the sniffer', async () => (await metricSum('netmap_sniffer_packets_total', 'kind="dns"')) > seen, 10_000);
      if (!(await observed()).dns.some((r) => r.name === `last${i}.example`)) last = i;
    }
    if (last === undefined) throw new Error('every answer was written by a regular window before SIGTERM could be sent');
    const running = sniffer as NetnsProcess;
    running.child.kill('SIGTERM');
    expect(await running.exited).to.equal(0);
    expect(running.lines.some((l) => l.includes('shutting down: flushing the last window'))).to.equal(true);
    const { dns } = await observed();
    expect(dns.find((r) => r.name === `last${last}.example`)).to.deep.include({ clientIP: '10.244.1.10', ips: [`198.51.100.${90 + last}`] });
  });
});
