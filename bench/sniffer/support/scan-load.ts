import { spawn } from 'node:child_process';
import { NetnsProcess, sh, Topology } from '../../../test/support/netns/topology.js';

/**
 * The socket-scan load: `namespaces` network namespaces, each with one small process holding
 * `connections` established TCP connections to a listener of its own namespace, on a
 * non-loopback address (so the scan reports them rather than skipping them as loopback), with
 * HOSTNAME set in its environment as in a pod.
 */
const holder = `
import socket, sys, signal
address, count = sys.argv[1], int(sys.argv[2])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((address, 9000))
server.listen(count + 16)
held = []
for _ in range(count):
    held.append(socket.create_connection((address, 9000)))
    held.append(server.accept()[0])
print('ready', flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()
`;

export interface ScanLoad {
  topology: Topology;
  /** The client addresses used, one per namespace. */
  addresses: string[];
  destroy(): Promise<void>;
}

/**
 * `childEhashEntries` > 0 creates the namespaces from a parent namespace whose
 * net.ipv4.tcp_child_ehash_entries is set, so each gets its own TCP hash table (as a node with
 * that sysctl would give its pods); 0 keeps the kernel default (one hash table for all).
 */
export async function createScanLoad(prefix: string, namespaces: number, connections: number, childEhashEntries = 0): Promise<ScanLoad> {
  const topology = new Topology(prefix);
  const addresses: string[] = [];
  const holders: NetnsProcess[] = [];
  try {
    let parent: string | undefined;
    if (childEhashEntries > 0) {
      parent = 'parent';
      await topology.addNamespace(parent);
      await topology.exec(parent, 'sysctl', '-qw', `net.ipv4.tcp_child_ehash_entries=${childEhashEntries}`);
    }
    for (let i = 0; i < namespaces; i++) {
      const ns = await topology.addNamespace(`s${i}`, parent);
      const address = `10.201.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      await sh('ip', '-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'lo');
      addresses.push(address);
      // HOSTNAME as a container runtime sets it (the pod's name): the reference sniffer finds
      // pods by it in /proc/<pid>/environ and scans only those processes.
      const child = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-c', holder, address, String(connections)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HOSTNAME: `scan-load-${i}` },
      });
      holders.push(new NetnsProcess(child));
    }
    await Promise.all(holders.map((h) => h.waitForLine((l) => l === 'ready', 60_000)));
  } catch (error) {
    await Promise.all(holders.map((h) => h.stop()));
    await topology.destroy();
    throw error;
  }
  return {
    topology,
    addresses,
    async destroy() {
      await Promise.all(holders.map((h) => h.stop()));
      await topology.destroy();
    },
  };
}
