import { isLoopback } from '../capture/ip-address.js';
import type { ObservedConnection } from '../observed.js';
import type { SocketRow } from './proc-net-tcp.js';

/**
 * The outgoing connections of one network namespace, from the rows of its tcp and tcp6 tables
 * together. A socket whose local port is a LISTEN port of the same namespace is the server end
 * of a connection and is skipped; the rest are client ends, reported with the REMOTE port as the
 * server port (the reference mapper reports the local ephemeral port).
 */
export function namespaceConnections(rows: readonly SocketRow[], seenAt: number): ObservedConnection[] {
  const listenPorts = new Set<number>();
  for (const row of rows) if (row.state === 'listen') listenPorts.add(row.localPort);
  const seen = new Set<string>();
  const connections: ObservedConnection[] = [];
  for (const row of rows) {
    if (row.state !== 'established') continue;
    if (isLoopback(row.localIP) || isLoopback(row.remoteIP)) continue;
    if (listenPorts.has(row.localPort)) continue;
    if (row.remotePort === 0) continue;
    const key = `${row.localIP} ${row.remoteIP} ${row.remotePort}`;
    if (seen.has(key)) continue;
    seen.add(key);
    connections.push({
      clientIP: row.localIP,
      serverIP: row.remoteIP,
      serverPort: row.remotePort,
      source: 'SocketScan',
      seenAt,
    });
  }
  return connections;
}
