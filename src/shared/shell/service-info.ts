import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { EndpointSliceInfo, ServiceInfo } from '../../operator/core/types.js';

/** Services and EndpointSlices as the operator's core sees them; the CLI's policy export reads them the same way. */

export function serviceInfo(service: V1Service): ServiceInfo {
  const ips = service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : []);
  return {
    namespace: service.metadata?.namespace ?? '',
    name: service.metadata?.name ?? '',
    clusterIPs: ips.filter((ip) => ip && ip !== 'None'),
    ports: (service.spec?.ports ?? []).map((p) => p.port),
    portSpecs: (service.spec?.ports ?? []).map((p) => ({
      port: p.port,
      ...(p.name ? { name: p.name } : {}),
      ...(p.targetPort === undefined ? {} : { targetPort: p.targetPort as number | string }),
      ...(p.protocol ? { protocol: p.protocol } : {}),
    })),
  };
}

export function endpointSliceInfo(slice: V1EndpointSlice): EndpointSliceInfo | undefined {
  const serviceName = slice.metadata?.labels?.['kubernetes.io/service-name'];
  if (!serviceName) return undefined;
  const namespace = slice.metadata?.namespace ?? '';
  return {
    namespace,
    name: slice.metadata?.name ?? '',
    serviceName,
    ports: (slice.ports ?? []).flatMap((p) => (p.port === undefined ? [] : [p.port])),
    namedPorts: (slice.ports ?? []).flatMap((p) => (p.port === undefined ? [] : [{ name: p.name ?? '', port: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) }])),
    endpoints: (slice.endpoints ?? []).map((e) => {
      const target = e.targetRef;
      return target?.kind === 'Pod' && target.name ? { ips: e.addresses, pod: { namespace: target.namespace ?? namespace, name: target.name } } : { ips: e.addresses };
    }),
  };
}
