import type { EndpointSliceInfo, ServiceInfo } from './types.js';

/**
 * The port(s) the server pod sees for a connection captured to `port` of a Service's ClusterIP
 * (before DNAT): the Service port's targetPort. A numeric targetPort (or none: the same number)
 * is the answer; a named one is resolved through the Service's EndpointSlices, whose ports
 * carry the Service port's name with the pods' number (a rollout that renumbers the container
 * port can list two numbers, both returned). A port the Service does not declare is kept as
 * captured (the call failed, but it was made); a named port no EndpointSlice resolves yet gives
 * nothing, rather than a guess.
 */
export function podPortsForServicePort(service: ServiceInfo, slices: readonly EndpointSliceInfo[], port: number, protocol = 'TCP'): number[] {
  const spec = (service.portSpecs ?? []).find((p) => p.port === port && (p.protocol ?? 'TCP') === protocol);
  if (!spec) return [port];
  const target = spec.targetPort;
  if (target === undefined || target === 0 || target === '') return [port];
  if (typeof target === 'number') return [target];
  if (/^\d+$/.test(target)) return [Number(target)];
  const name = spec.name ?? '';
  const found = new Set<number>();
  for (const slice of slices) {
    for (const p of slice.namedPorts ?? []) if (p.name === name && (p.protocol ?? 'TCP') === protocol) found.add(p.port);
  }
  return [...found].sort((a, b) => a - b);
}
