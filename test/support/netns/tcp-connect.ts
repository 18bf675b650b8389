import { connect } from 'node:net';
import type { Socket } from 'node:net';

/**
 * `tcp-connect <host>:<port>...` (IPv6 hosts in brackets): opens one connection to each, retrying
 * for a few seconds while the network comes up, prints `connected <host> <local port>` and keeps
 * them open until SIGTERM.
 */
const open: Socket[] = [];

function target(text: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!match) throw new Error(`bad target ${text}`);
  return { host: match[1] ?? '', port: Number(match[2]) };
}

async function connectWithRetry(host: string, port: number): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host, port, timeout: 2000 }, () => resolve(socket));
        socket.once('error', reject);
        socket.once('timeout', () => { socket.destroy(); reject(new Error('timeout')); });
      });
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

for (const text of process.argv.slice(2)) {
  const { host, port } = target(text);
  const socket = await connectWithRetry(host, port);
  socket.setTimeout(0);
  socket.on('error', () => undefined);
  open.push(socket);
  console.log(`connected ${host} ${socket.localPort}`);
}
console.log('ready');
process.on('SIGTERM', () => process.exit(0));
setInterval(() => undefined, 60_000);
