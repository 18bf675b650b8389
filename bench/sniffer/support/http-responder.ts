import { createServer } from 'node:net';

/**
 * `http-responder <address> <port>`: answers every HTTP/1.1 request on a keep-alive connection
 * with a fixed 200 (a request is counted at each blank line ending its headers; the benchmark's
 * requests have no body). Cheaper than node:http, so the sender's core can reach the rate.
 */
const [address = '0.0.0.0', port = '8088'] = process.argv.slice(2);
const response = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
createServer((socket) => {
  socket.setNoDelay(true);
  let tail = '';
  socket.on('data', (chunk: Buffer) => {
    const text = tail + chunk.toString('latin1');
    let count = 0;
    for (let i = text.indexOf('\r\n\r\n'); i >= 0; i = text.indexOf('\r\n\r\n', i + 4)) count++;
    tail = text.slice(-3);
    if (count > 0) socket.write(count === 1 ? response : Buffer.concat(Array(count).fill(response) as Buffer[]));
  });
  socket.on('error', () => undefined);
}).listen(Number(port), address, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
