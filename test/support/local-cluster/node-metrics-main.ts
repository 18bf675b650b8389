import { createServer } from 'node:http';

// The node exporter pod of node-metrics.ts (hostNetwork): LISTEN_ADDRESS (the node IP) and LISTEN_PORT.
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  response.end(`node_boot_time_seconds ${Math.floor(Date.now() / 1000 - process.uptime())}\n`);
});
server.listen(Number(process.env.LISTEN_PORT), process.env.LISTEN_ADDRESS, () => console.log('node metrics listening'));
