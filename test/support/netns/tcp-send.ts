import { connect } from 'node:net';

/**
 * `tcp-send <host> <port> <chunk-base64>...`: one TCP connection, each chunk written in its own
 * segment (Nagle off, 150 ms apart), then half-closes and waits for the peer to close. For
 * payloads a real client library would not send: a request line split over segments, pipelined
 * requests in one segment, a TLS ClientHello, the HTTP/2 preface.
 */
const [host, port, ...chunks] = process.argv.slice(2);
const socket = connect({ host: host ?? '', port: Number(port) });
socket.setNoDelay(true);
socket.on('error', (error) => {
  console.error(String(error));
  process.exit(1);
});
await new Promise((resolve) => socket.once('connect', resolve));
for (const chunk of chunks) {
  socket.write(Buffer.from(chunk, 'base64'));
  await new Promise((resolve) => setTimeout(resolve, 150));
}
let received = 0;
socket.on('data', (data) => {
  received += data.length;
});
socket.end();
await new Promise((resolve) => {
  socket.once('close', resolve);
  setTimeout(resolve, 2000);
});
console.log(JSON.stringify({ received }));
process.exit(0);
