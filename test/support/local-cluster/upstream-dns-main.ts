import { serveUpstreamDns } from './upstream-dns-server.js';
import type { Zone } from './internet-dns-zone.js';

// Run inside the local internet's namespace by upstream-dns.ts: ZONE (JSON) and LISTEN_ADDRESS.
await serveUpstreamDns(JSON.parse(process.env.ZONE ?? '{}') as Zone, process.env.LISTEN_ADDRESS ?? '0.0.0.0');
console.log('upstream DNS listening');
