import { isIPv6 } from 'node:net';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { networkObservationDefinition } from '../../../src/crds/network-observation.js';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';

/** One edge the demo's traffic must produce: a client (pods labelled app=<app>) to a target. */
export type ExpectedEdge =
  | { readonly client: { namespace: string; app: string }; readonly service: { namespace: string; name: string; port: number } }
  | { readonly client: { namespace: string; app: string }; readonly pods: { namespace: string; app: string; port: number } }
  | { readonly client: { namespace: string; app: string }; readonly dns: string };

export function describeEdge(edge: ExpectedEdge): string {
  const from = `${edge.client.app}.${edge.client.namespace}`;
  if ('service' in edge) return `${from} -> service ${edge.service.name}.${edge.service.namespace}:${edge.service.port}`;
  if ('pods' in edge) return `${from} -> pods ${edge.pods.app}.${edge.pods.namespace}:${edge.pods.port}`;
  return `${from} -> DNS ${edge.dns}`;
}

type Spec = NetworkObservationSpec;

/**
 * The edges not yet visible in the NetworkObservations the sniffer wrote: a SYN from one of the
 * client's pod IPs to the Service's ClusterIP (or to a target pod IP), or a DNS answer for the name.
 */
export async function missingEdges(kc: KubeConfig, namespace: string, edges: readonly ExpectedEdge[]): Promise<{ missing: ExpectedEdge[]; firstSeen: Map<ExpectedEdge, string> }> {
  const core = kc.makeApiClient(CoreV1Api);
  const objects = await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
    group: networkObservationDefinition.group, version: networkObservationDefinition.version, plural: networkObservationDefinition.plural, namespace,
  }) as { items: { spec: Spec }[] };
  const connections = objects.items.flatMap((o) => o.spec.connections);
  const answers = objects.items.flatMap((o) => o.spec.dnsAnswers);
  const podIPs = async (ns: string, app: string): Promise<string[]> =>
    (await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items.flatMap((p) => (p.status?.podIPs ?? []).map((i) => i.ip));
  const missing: ExpectedEdge[] = [];
  const firstSeen = new Map<ExpectedEdge, string>();
  for (const edge of edges) {
    const clients = new Set(await podIPs(edge.client.namespace, edge.client.app));
    let seen: { lastSeen: string }[];
    if ('dns' in edge) {
      // Under CoreDNS's autopath the asked name is the search-expanded one, aliased to the name.
      seen = answers.filter((a) => clients.has(a.clientIP) && (a.name === edge.dns || a.cnames?.includes(edge.dns)));
    } else {
      let servers: string[];
      let port: number;
      if ('service' in edge) {
        const service = await core.readNamespacedService({ name: edge.service.name, namespace: edge.service.namespace });
        servers = (service.spec?.clusterIPs ?? []).filter((ip) => !isIPv6(ip));
        port = edge.service.port;
      } else {
        servers = await podIPs(edge.pods.namespace, edge.pods.app);
        port = edge.pods.port;
      }
      seen = connections.filter((c) => clients.has(c.clientIP) && servers.includes(c.serverIP) && c.serverPort === port && c.sources.includes('SYN'));
    }
    if (seen.length === 0) missing.push(edge);
    else firstSeen.set(edge, seen.map((s) => s.lastSeen).sort()[0]!);
  }
  return { missing, firstSeen };
}
