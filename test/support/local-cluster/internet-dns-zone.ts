import { isIPv6 } from 'node:net';
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';

export type DnsRecord = { readonly type: 'A' | 'AAAA' | 'CNAME'; readonly data: string };
export type Zone = ReadonlyMap<string, readonly DnsRecord[]>;

export const clusterDomain = 'cluster.local';

function addressRecord(ip: string): DnsRecord {
  return { type: isIPv6(ip) ? 'AAAA' : 'A', data: ip };
}

function add(zone: Map<string, DnsRecord[]>, name: string, record: DnsRecord): void {
  const key = name.toLowerCase();
  const records = zone.get(key) ?? [];
  if (!records.some((r) => r.type === record.type && r.data === record.data)) records.push(record);
  zone.set(key, records);
}

/**
 * The cluster's names as kube-dns/CoreDNS publish them: `<svc>.<ns>.svc` to the ClusterIPs (to
 * the ready endpoints for headless Services, with `<hostname>.<svc>.<ns>.svc` for pods that have
 * a hostname, as StatefulSet pods do), `a-b-c-d.<ns>.pod` for pod IPs, plus the given external
 * names (the local "internet").
 */
export function buildZone(
  services: readonly V1Service[],
  slices: readonly V1EndpointSlice[],
  pods: readonly V1Pod[],
  external: Readonly<Record<string, readonly DnsRecord[]>>,
): Zone {
  const zone = new Map<string, DnsRecord[]>();
  for (const service of services) {
    const ns = service.metadata?.namespace ?? '';
    const name = `${service.metadata?.name}.${ns}.svc.${clusterDomain}`;
    const headless = service.spec?.clusterIP === 'None';
    if (!headless) {
      for (const ip of service.spec?.clusterIPs ?? [service.spec?.clusterIP ?? '']) if (ip) add(zone, name, addressRecord(ip));
      continue;
    }
    const own = slices.filter((s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata?.name);
    for (const endpoint of own.flatMap((s) => s.endpoints ?? [])) {
      if (endpoint.conditions?.ready === false) continue;
      for (const ip of endpoint.addresses) {
        add(zone, name, addressRecord(ip));
        if (endpoint.hostname) add(zone, `${endpoint.hostname}.${name}`, addressRecord(ip));
      }
    }
  }
  for (const pod of pods) {
    if (pod.spec?.hostNetwork) continue;
    for (const { ip } of pod.status?.podIPs ?? []) {
      add(zone, `${ip.replaceAll(/[.:]/g, '-')}.${pod.metadata?.namespace}.pod.${clusterDomain}`, addressRecord(ip));
    }
  }
  for (const [name, records] of Object.entries(external)) for (const record of records) add(zone, name, record);
  return zone;
}

export interface ZoneAnswer {
  readonly rcode: 'NOERROR' | 'NXDOMAIN';
  readonly answers: readonly { name: string; type: DnsRecord['type']; data: string }[];
}

/** Answers one question, following CNAMEs inside the zone (at most 8 hops). */
export function lookup(zone: Zone, questionName: string, type: string): ZoneAnswer {
  let name = questionName.toLowerCase().replace(/\.$/, '');
  if (!zone.has(name)) return { rcode: 'NXDOMAIN', answers: [] };
  const answers: { name: string; type: DnsRecord['type']; data: string }[] = [];
  for (let hop = 0; hop < 8; hop++) {
    const records = zone.get(name);
    if (!records) break;
    const cname = records.find((r) => r.type === 'CNAME');
    if (cname && type !== 'CNAME') {
      answers.push({ name, type: 'CNAME', data: cname.data });
      name = cname.data.toLowerCase();
      continue;
    }
    for (const record of records) if (record.type === type) answers.push({ name, ...record });
    break;
  }
  return { rcode: 'NOERROR', answers };
}
