import { connect, createServer } from 'node:net';

/**
 * `tcp-to-unix <port> <socket path>`: listens on 127.0.0.1:<port> of the namespace it runs in and
 * pipes every connection to a Unix socket, which any namespace on the machine can reach through
 * the file system. Lets a process in a test namespace talk to a server on the host's loopback
 * under the same address, so TLS names and certificates stay as they are.
 */
const port = Number(process.argv[2]);
const path = process.argv[3] ?? '';
createServer((socket) => {
  const upstream = connect(path);
  socket.pipe(upstream).pipe(socket);
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
}).listen({ port, host: '127.0.0.1' }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
