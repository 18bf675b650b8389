import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';
import { clientIntentsDefinition } from '../../crds/client-intents.js';
import { networkObservationDefinition, type NetworkObservationStatus } from '../../crds/network-observation.js';
import { apiErrorCode } from '../../shared/api-error-code.js';
import type { ApplyBody } from '../core/plan.js';
import type { ClientIntentsObject } from './convert.js';
import type { OperatorMetrics } from './metrics.js';

export interface EventTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
}

const intents = { group: clientIntentsDefinition.group, version: clientIntentsDefinition.version, plural: clientIntentsDefinition.plural };
const observations = { group: networkObservationDefinition.group, version: networkObservationDefinition.version, plural: networkObservationDefinition.plural };

/**
 * Every write the operator makes, each counted in netmap_writes_total (or, failed, in
 * netmap_write_errors_total by HTTP status, network or timeout; a 409 in netmap_write_conflicts_total). ClientIntents are only
 * ever server-side applied (spec and our labels/annotations; status.resolvedIPs through the
 * status subresource) under one field manager, so fields others own survive.
 */
export class KubeWrites {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  /**
   * `mayWrite` is asked right before every request: a replica that is not (or no longer
   * surely) the leader must not write, even when it decided to while it still led.
   */
  constructor(kc: KubeConfig, private readonly fieldManager: string, private readonly metrics: OperatorMetrics, private readonly reporter: string, private readonly mayWrite: () => boolean = () => true) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async applyIntents(body: ApplyBody, resourceVersion: string | undefined): Promise<ClientIntentsObject> {
    const { name, namespace } = body.metadata;
    // The resourceVersion makes the apply conditional: an object changed since we read it is re-planned.
    const sent = resourceVersion ? { ...body, metadata: { ...body.metadata, resourceVersion } } : body;
    return this.counted('clientintents', 'apply', () =>
      this.custom.patchNamespacedCustomObject(
        { ...intents, namespace, name, body: sent, fieldManager: this.fieldManager, force: true, fieldValidation: 'Strict' },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
  }

  async applyIntentsStatus(body: ApplyBody): Promise<ClientIntentsObject> {
    const { name, namespace } = body.metadata;
    return this.counted('clientintents/status', 'apply', () =>
      this.custom.patchNamespacedCustomObjectStatus(
        { ...intents, namespace, name, body, fieldManager: this.fieldManager, force: true, fieldValidation: 'Strict' },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    );
  }

  async deleteIntents(namespace: string, name: string): Promise<void> {
    await this.counted('clientintents', 'delete', () => this.custom.deleteNamespacedCustomObject({ ...intents, namespace, name }));
  }

  async setObservationStatus(namespace: string, name: string, status: NetworkObservationStatus): Promise<void> {
    await this.counted('networkobservations/status', 'patch', () =>
      this.custom.patchNamespacedCustomObjectStatus(
        { ...observations, namespace, name, body: { status }, fieldManager: this.fieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  async deleteObservation(namespace: string, name: string): Promise<void> {
    await this.counted('networkobservations', 'delete', () => this.custom.deleteNamespacedCustomObject({ ...observations, namespace, name }));
  }

  /** Replaces a ConfigMap's data (ours alone: the operator is its only writer), creating it when missing. */
  async saveConfigMap(namespace: string, name: string, data: Record<string, string>): Promise<void> {
    const body = { metadata: { name, namespace, labels: { [managedByLabel]: managedByValue } }, data };
    try {
      // A missing ConfigMap (its first write) is no failed write: it is created next.
      await this.counted('configmaps', 'update', () => this.core.replaceNamespacedConfigMap({ namespace, name, body }), '404');
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      await this.counted('configmaps', 'create', () => this.core.createNamespacedConfigMap({ namespace, body }));
    }
  }

  async event(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date();
    await this.counted('events', 'create', () =>
      this.core.createNamespacedEvent({
        namespace: target.namespace,
        body: {
          metadata: { generateName: `${target.name}.`, namespace: target.namespace },
          involvedObject: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace, uid: target.uid },
          reason,
          message: message.slice(0, 1024),
          type,
          source: { component: this.reporter },
          reportingComponent: this.reporter,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      }),
    );
  }

  /** `handled`: an HTTP status the caller handles as an answer, not counted as an error (still thrown). */
  private async counted<T>(resource: string, verb: string, write: () => Promise<T>, handled?: string): Promise<T> {
    if (!this.mayWrite()) throw new NotLeaderError(resource, verb);
    try {
      const result = await write();
      this.metrics.writes.inc({ resource, verb });
      return result;
    } catch (error) {
      // A 409 is expected now and then (another writer, such as Otterize adding its finalizer,
      // changed the object between our read and our write): the retry re-reads and re-plans.
      const code = apiErrorCode(error);
      if (code === '409') this.metrics.writeConflicts.inc({ resource });
      else if (code !== handled) this.metrics.writeErrors.inc({ resource, code });
      throw error;
    }
  }
}

/** A write refused because this replica is not the leader (any more). */
export class NotLeaderError extends Error {
  constructor(resource: string, verb: string) {
    super(`not the leader: ${verb} of ${resource} not sent`);
    this.name = 'NotLeaderError';
  }
}
