import type { ObservationSink } from '../../src/sniffer/core/observed.js';

/**
 * A steady, demo-like load on one node, as its captures would deliver it: each pod opens two
 * connections to Services every second (SYN), keeps three open (seen by every socket scan, one
 * a second), and looks up one cluster name and one internet name every five seconds. The same
 * tuples come back every window, as in the demo shop. `secondMs` scales time (benchmarks that
 * stand an hour in for minutes).
 */
export interface DemoNode {
  readonly podIps: readonly string[];
  readonly serviceIps: readonly string[];
}

export function demoNode(node: number, podsPerNode: number, serviceIps: readonly string[]): DemoNode {
  const podIps = Array.from({ length: podsPerNode }, (_, p) => {
    const i = node * podsPerNode + p;
    return `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  });
  return { podIps, serviceIps };
}

/** Feeds one (scaled) second of the load; `second` counts the seconds fed so far. */
export function feedDemoSecond(sink: ObservationSink, node: DemoNode, second: number, now: number): void {
  const services = node.serviceIps;
  node.podIps.forEach((clientIP, p) => {
    for (let c = 0; c < 2; c++) sink.connection({ clientIP, serverIP: services[(p + c) % services.length]!, serverPort: 8080, source: 'SYN', seenAt: now });
    for (let c = 2; c < 5; c++) sink.connection({ clientIP, serverIP: services[(p + c) % services.length]!, serverPort: 8080, source: 'SocketScan', seenAt: now });
    if ((second + p) % 5 === 0) {
      const s = (p + 1) % services.length;
      sink.dnsAnswer({ clientIP, name: `app-${s}.bench-${s % 10}.svc.cluster.local`, ips: [services[s]!], ttlSeconds: 30, seenAt: now });
      sink.dnsAnswer({ clientIP, name: `api-${p % 3}.payments.example.com`, ips: [`203.0.113.${(p % 3) + 1}`], ttlSeconds: 60, seenAt: now });
    }
  });
}
