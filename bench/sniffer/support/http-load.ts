import { connect, type Socket } from 'node:net';

/**
 * `http-load <target> <port> <rate/s> <seconds> [connections]`: keep-alive HTTP/1.1 clients, one
 * request at a time per connection (no pipelining), paced to a total rate; paths carry ids, as a
 * real API's do. Prints `{"sent": n, "answered": n, "connections": n, "seconds": s}` when done.
 */
const [target = '', port = '8088', rateText = '20000', secondsText = '4', connectionsText = '64'] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Math.min(Number(secondsText), 30);
const responseBytes = Buffer.byteLength('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
const paths = ['/api/v1/users/', '/api/v1/orders/', '/api/v1/carts/', '/healthz?id='];

interface Client { socket: Socket; busy: boolean; pending: number }
const clients: Client[] = await Promise.all(Array.from({ length: Number(connectionsText) }, () => new Promise<Client>((resolve, reject) => {
  const socket = connect({ host: target, port: Number(port) }, () => resolve(client));
  const client: Client = { socket, busy: false, pending: 0 };
  socket.setNoDelay(true);
  socket.once('error', reject);
  socket.on('data', (chunk: Buffer) => {
    client.pending += chunk.length;
    while (client.pending >= responseBytes) {
      client.pending -= responseBytes;
      client.busy = false;
      answered++;
    }
  });
})));

let sent = 0;
let answered = 0;
const start = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
await new Promise<void>((resolve) => {
  const tick = () => {
    const now = elapsed();
    if (now >= seconds) return resolve();
    const due = Math.floor(now * rate);
    for (const client of clients) {
      if (sent >= due) break;
      if (client.busy) continue;
      client.busy = true;
      client.socket.write(`GET ${paths[sent % paths.length]}${sent} HTTP/1.1\r\nHost: bench\r\n\r\n`);
      sent++;
    }
    setImmediate(tick);
  };
  tick();
});
const took = elapsed();
await new Promise((r) => setTimeout(r, 200));
for (const client of clients) client.socket.destroy();
console.log(JSON.stringify({ sent, answered, connections: clients.length, seconds: took }));
