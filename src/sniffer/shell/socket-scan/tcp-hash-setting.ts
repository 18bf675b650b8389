import { readFileSync } from 'node:fs';

/**
 * The node's net.ipv4.tcp_child_ehash_entries (Linux >= 6.1), read through the host's /proc from
 * the host network namespace the sniffer runs in; undefined on older kernels. 0 means namespaces
 * created from now on share the host's TCP hash table, so reading one namespace's tables walks
 * every bucket of it: the scan's cost grows with the number of pods times that table's size.
 */
export function readChildEhashEntries(procRoot: string): number | undefined {
  try {
    const value = Number(readFileSync(`${procRoot}/sys/net/ipv4/tcp_child_ehash_entries`, 'latin1').trim());
    return Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
