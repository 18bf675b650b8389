import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Zone } from './internet-dns-zone.js';
import type { NodeLayout } from './node/node-layout.js';

export const demoDir = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'support', 'local-cluster', 'demo');

/**
 * The "internet" as seen from the pods: the namespace behind the node's uplink (made with the
 * node's network), with an HTTP server on its address. Only that address is ever used: nothing
 * leaves the machine. The server is the demo app, run by this machine's Node, not a pod.
 */
export function startInternet(layout: NodeLayout): { names: Zone; stop(): Promise<void> } {
  const { netns, ip } = layout.internet;
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
    },
  };
}
