import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sh } from '../netns/topology.js';
import type { Zone } from './internet-dns-zone.js';
import type { ClusterNetwork } from './host-network.js';

export const demoDir = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'support', 'local-cluster', 'demo');

/**
 * The "internet" as seen from the pods: one more namespace, routed (not bridged) through the
 * host, with an HTTP server. Only its own address is ever used: nothing leaves the machine.
 */
export async function startInternet(network: ClusterNetwork): Promise<{ names: Zone; stop(): Promise<void> }> {
  const { netns, hostVeth, hostIP, ip } = network.internet;
  await sh('ip', 'netns', 'add', netns);
  await sh('ip', '-n', netns, 'link', 'set', 'lo', 'up');
  await sh('ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
  await sh('ip', 'addr', 'add', `${hostIP}/24`, 'dev', hostVeth);
  await sh('ip', 'link', 'set', hostVeth, 'up');
  await sh('ip', '-n', netns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
  await sh('ip', '-n', netns, 'link', 'set', 'eth0', 'up');
  await sh('ip', '-n', netns, 'route', 'add', 'default', 'via', hostIP);
  const server: ChildProcess = spawn('ip', ['netns', 'exec', netns, process.execPath, join(demoDir, 'app.mjs')], {
    stdio: 'ignore',
    env: { POD_NAME: 'internet', LISTEN_PORT: '80', PATH: process.env.PATH ?? '' },
  });
  const names: Zone = {
    'api.payments.example': [{ type: 'CNAME', data: 'edge.payments-cdn.example' }],
    'edge.payments-cdn.example': [{ type: 'CNAME', data: 'pop1.edge.payments-cdn.example' }],
    'pop1.edge.payments-cdn.example': [{ type: 'A', data: ip }],
    'status.example.org': [{ type: 'A', data: ip }],
  };
  return {
    names,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGKILL');
        await exited;
      }
      await sh('ip', 'netns', 'delete', netns).catch(() => undefined);
    },
  };
}
