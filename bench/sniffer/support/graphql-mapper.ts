import { createServer } from 'node:http';

/*
 * `graphql-mapper <port>`: the reference sniffer's mapper as far as the sniffer can tell, on
 * 127.0.0.1 of the namespace it runs in: every POST is read whole and answered `{"data": {}}`
 * (a GraphQL success without fields). Prints `ready`, then one `reports <n>` line per 10 POSTs.
 */
const port = Number(process.argv[2]);
let reports = 0;
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {}}');
    if (req.method === 'POST' && ++reports % 10 === 0) console.log(`reports ${reports}`);
  });
}).listen({ port, host: '127.0.0.1' }, () => console.log('ready'));
process.on('SIGTERM', () => process.exit(0));
