/**
 * Per target, the server ports seen (as the server pod sees them: service-ports.ts) with when
 * each was first and last seen. ClientIntents have no field for ports of `kubernetes` and
 * `service` targets, so they live in the evidence annotation (evidence.ts).
 */
export interface PortSeen {
  firstSeen: number;
  lastSeen: number;
}

/**
 * Ports kept per target; beyond it the least recently seen goes. A target answering on more
 * ports than this is a scan or a port range, not something a NetworkPolicy should list one by
 * one (docs/operator.md, "Bounds").
 */
export const maxPortsPerTarget = 32;

/** Adds or refreshes a port; true when it was new. */
export function recordPort(ports: Map<number, PortSeen>, port: number, firstSeen: number, lastSeen: number, max = maxPortsPerTarget): boolean {
  const known = ports.get(port);
  if (known) {
    if (firstSeen < known.firstSeen) known.firstSeen = firstSeen;
    if (lastSeen > known.lastSeen) known.lastSeen = lastSeen;
    return false;
  }
  ports.set(port, { firstSeen, lastSeen });
  while (ports.size > max) {
    let oldest: number | undefined;
    for (const [p, seen] of ports) if (oldest === undefined || seen.lastSeen < ports.get(oldest)!.lastSeen || (seen.lastSeen === ports.get(oldest)!.lastSeen && p > oldest)) oldest = p;
    ports.delete(oldest!);
  }
  return ports.has(port);
}

export function copyPorts(ports: ReadonlyMap<number, PortSeen> | undefined): Map<number, PortSeen> {
  return new Map([...(ports ?? [])].map(([p, s]) => [p, { ...s }]));
}

/** Ports in ascending order. */
export function sortedPorts(ports: ReadonlyMap<number, PortSeen> | undefined): number[] {
  return [...(ports?.keys() ?? [])].sort((a, b) => a - b);
}
