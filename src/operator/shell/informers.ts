import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1EndpointSlice, type V1Namespace, type V1Node, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { clientIntentsDefinition } from '../../crds/client-intents.js';
import { networkObservationDefinition } from '../../crds/network-observation.js';
import type { Logger } from '../../shared/logger.js';
import type { ObservationObject } from './controllers/observation-reconciler.js';
import type { ClientIntentsObject } from './convert.js';
import type { OperatorMetrics } from './metrics.js';
import { pagedList } from './paged-list.js';
import { dropManagedFields, slimIntents, endpointSliceReadFields, intentsReadFields, namespaceReadFields, nodeReadFields, observationReadFields, podReadFields, serviceReadFields, slimObservation, slimPod } from './read-fields.js';
import { WatchedResource } from './watched-resource.js';

type Handler<T> = (type: 'add' | 'update' | 'delete', object: T) => void;

/** Where each informer's events go (map functions to requests; see event-routing.ts). */
export interface InformerHandlers {
  readonly pod: Handler<V1Pod>;
  readonly service: Handler<V1Service>;
  readonly endpointSlice: Handler<V1EndpointSlice>;
  readonly node: Handler<V1Node>;
  readonly namespace: Handler<V1Namespace>;
  readonly observation: Handler<ObservationObject>;
  readonly intents: Handler<ClientIntentsObject>;
}

export interface Informers {
  readonly pods: WatchedResource<V1Pod>;
  readonly services: WatchedResource<V1Service>;
  readonly slices: WatchedResource<V1EndpointSlice>;
  readonly nodes: WatchedResource<V1Node>;
  readonly namespaces: WatchedResource<V1Namespace>;
  readonly observations: WatchedResource<ObservationObject>;
  readonly intents: WatchedResource<ClientIntentsObject>;
  /** Every informer, in start order. */
  readonly all: readonly WatchedResource<KubernetesObject>[];
}

/**
 * The operator's informers: what it watches, how each list is paged and trimmed (read-fields.ts)
 * and where its events go. Pods and observations are listed in pages, trimmed page by page.
 */
export function makeInformers(kc: KubeConfig, observationNamespace: string, log: Logger, metrics: OperatorMetrics, on: InformerHandlers): Informers {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const all: WatchedResource<KubernetesObject>[] = [];
  const watch = <T extends KubernetesObject>(resource: string, path: string, list: () => Promise<KubernetesListObject<T>>, readFields: (obj: T) => unknown, onEvent: Handler<T>, slim?: (obj: T) => void): WatchedResource<T> => {
    const watched = new WatchedResource<T>(kc, { resource, path, list, log, metrics, slim, readFields, onEvent });
    all.push(watched as unknown as WatchedResource<KubernetesObject>);
    return watched;
  };
  const obs = networkObservationDefinition;
  const ci = clientIntentsDefinition;
  return {
    pods: watch<V1Pod>('pods', '/api/v1/pods', () => pagedList((page) => core.listPodForAllNamespaces(page), 500, slimPod), podReadFields, on.pod, slimPod),
    services: watch<V1Service>('services', '/api/v1/services', () => core.listServiceForAllNamespaces(), serviceReadFields, on.service, dropManagedFields),
    slices: watch<V1EndpointSlice>('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces(), endpointSliceReadFields, on.endpointSlice, dropManagedFields),
    nodes: watch<V1Node>('nodes', '/api/v1/nodes', () => core.listNode(), nodeReadFields, on.node, dropManagedFields),
    namespaces: watch<V1Namespace>('namespaces', '/api/v1/namespaces', () => core.listNamespace(), namespaceReadFields, on.namespace, dropManagedFields),
    observations: watch<ObservationObject>(
      'networkobservations',
      `/apis/${obs.group}/${obs.version}/namespaces/${observationNamespace}/${obs.plural}`,
      () => pagedList((page) => custom.listNamespacedCustomObject({ group: obs.group, version: obs.version, namespace: observationNamespace, plural: obs.plural, ...page }) as Promise<KubernetesListObject<ObservationObject>>, 10, slimObservation),
      observationReadFields,
      on.observation,
      slimObservation,
    ),
    intents: watch<ClientIntentsObject>(
      'clientintents',
      `/apis/${ci.group}/${ci.version}/${ci.plural}`,
      () => custom.listClusterCustomObject({ group: ci.group, version: ci.version, plural: ci.plural }) as Promise<KubernetesListObject<ClientIntentsObject>>,
      intentsReadFields,
      on.intents,
      slimIntents,
    ),
    all,
  };
}
