import type { CustomObjectsApi, KubernetesObject } from '@kubernetes/client-node';
import { networkObservationDefinition, type NetworkObservationStatus } from '../../../crds/network-observation.js';
import { observationBounds } from '../../../crds/bounds.js';
import { errorFields, type Logger } from '../../../shared/logger.js';
import type { ClusterIndex } from '../../core/cluster-index.js';
import { mergeOutcomes, resolveHttp } from '../../core/http-resolver.js';
import { resolveObservation } from '../../core/observation-resolver.js';
import { deleteAt, readObservation, settleAt } from '../../core/observation-timing.js';
import { objectId, reconciled, requeueAfter, type ObjectRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import type { OperatorSettings } from '../../core/operator-config.js';
import type { KubeWrites } from '../kube-writes.js';
import type { LeaderState } from '../../core/leader-state.js';
import type { OperatorMetrics } from '../metrics.js';
import type { Lister } from '../watched-resource.js';
import { ignoreNotFound } from './client-intents-reconciler.js';
import type { Clock } from '../../../shared/core/clock.js';

export interface ObservationObject extends KubernetesObject {
  spec?: unknown;
  status?: NetworkObservationStatus;
}

export interface ObservationReconcilerDeps {
  readonly state: LeaderState;
  readonly observations: Lister<ObservationObject>;
  readonly custom: CustomObjectsApi;
  readonly writes: KubeWrites;
  readonly index: ClusterIndex;
  readonly settings: OperatorSettings;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  /** Time and timers (the manager's clock). */
  readonly clock: Clock;
  /** Clients whose desired ClientIntents changed (the client-intents controller's source). */
  readonly enqueueClients: (keys: readonly string[]) => void;
}

export function isFinal(object: ObservationObject): boolean {
  return object.status?.phase === 'Processed' || object.status?.phase === 'Invalid';
}

/**
 * One NetworkObservation: wait for its window to settle, resolve it into the store, and mark it
 * Processed once the clients it changed are written (at-least-once: a leader that dies before
 * that leaves it Pending for the next). Invalid ones are marked Invalid with an Event. Processed
 * ones are deleted after the retention. Leader only.
 */
export class ObservationReconciler implements Reconciler<ObjectRequest> {
  /** Observations waiting for their window to settle: not a backlog that should hold writes back. */
  private readonly settling = new Set<string>();
  /** The status to write once delivered, per resolved observation (bounded like the tracker). */
  private readonly statusToWrite = new Map<string, NetworkObservationStatus>();

  constructor(private readonly deps: ObservationReconcilerDeps) {}

  /** Whether an observation counts toward the backlog that holds client writes back. */
  waiting(object: ObservationObject): boolean {
    const id = objectId({ namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' });
    return !isFinal(object) && !this.settling.has(id) && this.deps.state.delivery.state(id) === 'unknown';
  }

  /** Leadership lost: what was resolved but not delivered will be resolved again. */
  reset(): void {
    this.statusToWrite.clear();
  }

  async reconcile(request: ObjectRequest): Promise<ReconcileResult> {
    const { state, observations, writes, settings } = this.deps;
    if (!state.active) return reconciled;
    const { namespace, name } = request;
    const id = objectId(request);
    const object = observations.get(namespace, name);
    const now = this.deps.clock.now();
    if (!object) {
      this.settling.delete(id);
      state.delivery.forget(id);
      this.statusToWrite.delete(id);
      this.setWaiting(id, false);
      return reconciled;
    }
    if (isFinal(object)) {
      const at = deleteAt(object.status?.processedAt, now, settings.observationRetentionMs);
      if (at > now) return requeueAfter(at - now);
      await ignoreNotFound(writes.deleteObservation(namespace, name));
      return reconciled;
    }
    const delivery = state.delivery.state(id);
    if (delivery === 'waiting') return reconciled;
    if (delivery === 'delivered') return this.markProcessed(request, id);
    if (state.draining) return reconciled;

    // The cache keeps no specs (see slimObservation): read this one now, and only this one.
    const full = await this.read(namespace, name);
    if (!full) return reconciled;
    const read = readObservation(full.spec);
    if (read.problem !== undefined) {
      await this.markInvalid(request, object, read.problem, now);
      this.setWaiting(id, false);
      return reconciled;
    }
    const created = object.metadata?.creationTimestamp ? new Date(object.metadata.creationTimestamp as unknown as string).getTime() : now;
    const settled = settleAt(read.spec.windowEnd, created, settings.observationSettleMs);
    if (settled > now) {
      this.settling.add(id);
      this.setWaiting(id, false);
      return requeueAfter(settled - now);
    }
    this.settling.delete(id);
    const outcome = mergeOutcomes(
      resolveObservation(read.spec, this.deps.index, state.store, { internetTargets: settings.internetTargets, dnsMemoryMs: settings.dnsMemoryMs }),
      resolveHttp(read.spec, this.deps.index, state.store, state.http, { enabled: settings.httpPaths }),
    );
    const unresolved = [...outcome.unresolved.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([reason, count]) => ({ reason, count }));
    const { metrics } = this.deps;
    metrics.records.inc({ result: 'resolved' }, outcome.resolved);
    for (const { reason, count } of unresolved) metrics.unresolved.inc({ reason }, count);
    metrics.records.inc({ result: 'unresolved' }, outcome.records - outcome.resolved);
    this.deps.log.info('observation resolved', { namespace, name, records: outcome.records, resolved: outcome.resolved, clients: outcome.changedClients.size });
    this.statusToWrite.set(id, { phase: 'Processed', processedAt: '', unresolved: unresolved.slice(0, observationBounds.unresolvedReasons) });
    state.delivery.resolved(id, outcome.changedClients);
    this.setWaiting(id, false);
    this.deps.enqueueClients([...outcome.changedClients]);
    if (state.delivery.state(id) === 'delivered') return this.markProcessed(request, id);
    return reconciled;
  }

  private setWaiting(id: string, waiting: boolean): void {
    const { state, metrics } = this.deps;
    this.deps.enqueueClients(state.gate.setWaiting(id, waiting));
    metrics.observationsWaiting.set(state.gate.waitingCount);
  }

  private async markProcessed({ namespace, name }: ObjectRequest, id: string): Promise<ReconcileResult> {
    const status = this.statusToWrite.get(id) ?? { phase: 'Processed' as const };
    await this.deps.writes.setObservationStatus(namespace, name, { ...status, processedAt: new Date(this.deps.clock.now()).toISOString() });
    this.deps.state.delivery.forget(id);
    this.statusToWrite.delete(id);
    this.deps.metrics.observations.inc({ result: 'processed' });
    this.deps.log.info('observation processed', { namespace, name });
    return reconciled;
  }

  private async markInvalid({ namespace, name }: ObjectRequest, object: ObservationObject, message: string, now: number): Promise<void> {
    const { writes, log, metrics } = this.deps;
    log.warn('invalid NetworkObservation', { namespace, name, message });
    metrics.observations.inc({ result: 'invalid' });
    await writes.setObservationStatus(namespace, name, { phase: 'Invalid', processedAt: new Date(now).toISOString(), message });
    await writes
      .event({ apiVersion: `${networkObservationDefinition.group}/${networkObservationDefinition.version}`, kind: 'NetworkObservation', namespace, name, uid: object.metadata?.uid }, 'Warning', 'InvalidObservation', message)
      .catch((error: unknown) => log.warn('could not record an event', { namespace, name, ...errorFields(error) }));
  }

  private async read(namespace: string, name: string): Promise<ObservationObject | undefined> {
    const obs = networkObservationDefinition;
    try {
      return (await this.deps.custom.getNamespacedCustomObject({ group: obs.group, version: obs.version, plural: obs.plural, namespace, name })) as ObservationObject;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }
}
