import { createServer } from 'node:net';
import type { Socket } from 'node:net';

/** `tcp-listen <port>`: accepts on every address (IPv4 and IPv6) and keeps connections open. */
const port = Number(process.argv[2] ?? 8080);
const sockets: Socket[] = [];
createServer((socket) => {
  sockets.push(socket);
  socket.on('error', () => undefined);
}).listen({ port, host: '::', ipv6Only: false }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
