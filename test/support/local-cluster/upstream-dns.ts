import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Zone } from './internet-dns-zone.js';
import type { NodeLayout } from './node/node-layout.js';

const startTimeoutMs = 10_000;

/**
 * The upstream resolver in the local internet's namespace, on its address, port 53 (UDP and
 * TCP): a process of its own, because a socket binds in the namespace of its process (a crashed
 * run's is killed with the namespace's processes by the next start's clean-up).
 */
export async function startUpstreamDns(network: NodeLayout, zone: Zone): Promise<{ address: string; stop(): Promise<void> }> {
  const { netns, ip } = network.internet;
  const child = spawn('ip', ['netns', 'exec', netns, process.execPath, join(import.meta.dirname, 'upstream-dns-main.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ZONE: JSON.stringify(zone), LISTEN_ADDRESS: ip, PATH: process.env.PATH ?? '' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the upstream DNS did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line !== 'upstream DNS listening') return;
      clearTimeout(timer);
      resolve();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the upstream DNS exited (${child.exitCode ?? child.signalCode})`));
    });
  });
  return {
    address: ip,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
