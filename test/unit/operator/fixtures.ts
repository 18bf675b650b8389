import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import type { OwnerRef, PodInfo } from '../../../src/operator/core/types.js';

export const t0 = Date.parse('2026-11-26T10:00:00Z');
export const minute = 60_000;

export function pod(namespace: string, name: string, ips: string[], extra: Partial<PodInfo> = {}): PodInfo {
  return { namespace, name, ips, hostNetwork: false, start: t0, annotations: {}, labels: {}, ownerReferences: [], ...extra };
}

export function ref(kind: string, name: string, apiVersion = 'apps/v1'): OwnerRef {
  return { apiVersion, kind, name, controller: true };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function observation(parts: Partial<NetworkObservationSpec>): NetworkObservationSpec {
  return { nodeName: 'node-a', windowStart: iso(t0), windowEnd: iso(t0 + 10_000), dnsAnswers: [], connections: [], ...parts };
}

export function conn(clientIP: string, serverIP: string, serverPort: number, at: number, sources: ('SYN' | 'SocketScan')[] = ['SYN']): NetworkObservationSpec['connections'][number] {
  return { clientIP, serverIP, serverPort, protocol: 'TCP', sources, firstSeen: iso(at), lastSeen: iso(at), count: 1 };
}

export function dns(clientIP: string, name: string, ips: string[], at: number, ttlSeconds = 30): NetworkObservationSpec['dnsAnswers'][number] {
  return { clientIP, name, ips, ttlSeconds, firstSeen: iso(at), lastSeen: iso(at), count: 1 };
}
