import { createServer } from 'node:http';

/** `http-server <port>`: a real Node HTTP/1.1 server (keep-alive) on every address; answers 200 with the method and path. */
const port = Number(process.argv[2] ?? 8080);
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.end(`${request.method} ${request.url}\n`));
});
server.keepAliveTimeout = 60_000;
server.listen({ port, host: '::', ipv6Only: false }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
