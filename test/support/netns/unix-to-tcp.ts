import { connect, createServer, type Socket } from 'node:net';

/**
 * Listens on a Unix socket and pipes every connection to a TCP address: with
 * test/support/netns/tcp-to-unix.ts on the other side, a process in a network namespace reaches a
 * server on the host's loopback under the same address.
 */
export function forwardUnixToTcp(path: string, target: { host: string; port: number }): Promise<{ close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = connect(target.port, target.host);
    open.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    for (const end of [socket, upstream]) {
      end.on('error', () => { socket.destroy(); upstream.destroy(); });
      end.on('close', () => open.delete(end));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve({
      close: () => new Promise<void>((done) => {
        for (const socket of open) socket.destroy();
        server.close(() => done());
      }),
    }));
  });
}
