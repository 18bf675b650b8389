import { clientIntentsDefinition } from '../../../crds/client-intents.js';
import type { Logger } from '../../../shared/logger.js';
import { BoundedMap } from '../../../shared/core/bounded-map.js';
import { clientKeyOf, defaultStoreBounds } from '../../core/intents-store.js';
import { planClientIntents, type ExistingIntents } from '../../core/plan.js';
import { reconciled, requeueAfter, type ClientRequest, type Reconciler, type ReconcileResult } from '../../core/reconcile.js';
import type { OperatorSettings } from '../../core/operator-config.js';
import { existingIntents, type ClientIntentsObject } from '../convert.js';
import { slimIntents } from '../read-fields.js';
import type { KubeWrites } from '../kube-writes.js';
import type { LeaderState } from '../../core/leader-state.js';
import type { Lister } from '../watched-resource.js';
import { targetNamespace, type GoneNamespaces } from '../../core/gone-namespaces.js';
import type { Clock } from '../../../shared/core/clock.js';
import { NameClaims } from '../../core/name-claims.js';
import { isNewerResourceVersion } from '../../core/resource-version.js';
import { DriftCounts, type NamespaceDrift } from '../../core/drift-counts.js';
import type { DriftEntry } from '../../core/drift-report.js';

/** An unchanged list of missing targets is reported again at most once a day. */
const eventFingerprintMs = 86_400_000;

export function clientId(request: ClientRequest): string {
  return clientKeyOf(request.namespace, request.workload.name, request.workload.kind);
}

/** The map function from a ClientIntents event to the client it concerns (ours or a user's). */
export function clientOfIntents(object: ClientIntentsObject): ClientRequest | undefined {
  const workload = (object.spec as { workload?: { name?: unknown; kind?: unknown } } | undefined)?.workload;
  const namespace = object.metadata?.namespace;
  if (!namespace || typeof workload?.name !== 'string') return undefined;
  return { namespace, workload: typeof workload.kind === 'string' ? { name: workload.name, kind: workload.kind } : { name: workload.name } };
}

export interface ClientIntentsReconcilerDeps {
  readonly state: LeaderState;
  readonly intents: Lister<ClientIntentsObject>;
  readonly writes: KubeWrites;
  readonly gone: GoneNamespaces;
  readonly settings: OperatorSettings;
  readonly log: Logger;
  /** The time (the manager's clock); waits are requeueAfter results, never timers of its own. */
  readonly clock: Clock;
  /** Clients to reconcile again (held clients released together). */
  readonly enqueueClients: (keys: readonly string[]) => void;
  /** Observations whose every changed client is now written. */
  readonly delivered: (observationIds: readonly string[]) => void;
  /** Event fingerprints dropped for the bound (netmap_evictions_total). */
  readonly onEvict?: (entries: number) => void;
  /** A namespace's drift totals changed (netmap_undeclared_targets, netmap_unobserved_targets). */
  readonly onDrift?: (totals: NamespaceDrift) => void;
  /** A client's drift entry changed (undefined: none), for the drift ConfigMap. */
  readonly onDriftEntry?: (clientKey: string, entry: DriftEntry | undefined) => void;
}

/**
 * One client workload -> its ClientIntents (server-side apply of spec, status.resolvedIPs,
 * delete when every target expired or the workload is gone, an Event and status.resolvedIPs for
 * a user-owned one). Leader only.
 */
export class ClientIntentsReconciler implements Reconciler<ClientRequest> {
  /** Our last write's answer per object, newer than the informer's copy until the watch catches up. */
  private readonly written = new Map<string, ClientIntentsObject>();
  /** Per client, the last ObservedTargetsMissing Event's fingerprint: as many as the store holds clients, a day each. */
  private readonly eventFingerprints: BoundedMap<string, { fingerprint: string; at: number }>;
  /** The object name each client was last planned under (core/name-claims.ts). */
  private readonly claims = new NameClaims();
  /** Per client whose ClientIntents is not ours: its drift, for the per-namespace gauges. */
  private readonly drift = new DriftCounts(defaultStoreBounds.maxClients);

  constructor(private readonly deps: ClientIntentsReconcilerDeps) {
    this.eventFingerprints = new BoundedMap(defaultStoreBounds.maxClients, { onEvict: (evicted) => deps.onEvict?.(evicted.length) });
  }

  private fingerprintOf(key: string, now: number): string | undefined {
    const entry = this.eventFingerprints.get(key);
    return entry && now - entry.at <= eventFingerprintMs ? entry.fingerprint : undefined;
  }

  /** Periodic maintenance: fingerprints older than a day go. */
  prune(now: number): void {
    this.eventFingerprints.dropOldestWhile((entry) => now - entry.at > eventFingerprintMs);
  }

  /** A ClientIntents changed or went: our copy of our own write is stale once the informer's is newer. */
  observed(object: ClientIntentsObject, deleted: boolean): void {
    const key = `${object.metadata?.namespace}/${object.metadata?.name}`;
    const written = this.written.get(key);
    if (deleted || (written && isNewerResourceVersion(object.metadata?.resourceVersion, written.metadata?.resourceVersion))) this.written.delete(key);
  }

  /** Leadership lost: what we knew of our writes may be outdated when we lead again. */
  reset(): void {
    this.written.clear();
  }

  private recordDrift(key: string, drift: DriftEntry | undefined): void {
    const totals = this.drift.set(key, drift && { namespace: drift.namespace, undeclared: drift.undeclared.length, unobserved: drift.unobserved.length });
    for (const total of totals) this.deps.onDrift?.(total);
    this.deps.onDriftEntry?.(key, drift && (drift.undeclared.length > 0 || drift.unobserved.length > 0) ? drift : undefined);
  }

  async reconcile(request: ClientRequest): Promise<ReconcileResult> {
    const { state, gone, writes, log } = this.deps;
    if (!state.active) return reconciled;
    const now = this.deps.clock.now();
    // A hold window that is over releases every client held in it (the first one held comes back
    // here at its end, through requeueAfter below).
    this.deps.enqueueClients(state.gate.lapse(now));
    const key = clientId(request);
    const store = state.store;
    if (gone.has(request.namespace)) {
      // Terminating: no write attempt into it; what was resolved for it is dropped.
      this.forget(key);
      this.deps.delivered(state.delivery.written(key));
      return reconciled;
    }
    store.dropTargets(key, (ref) => {
      const ns = targetNamespace(ref, request.namespace);
      return ns !== undefined && gone.has(ns);
    });
    const stored = store.desired(key);
    const desired = stored && state.http.attach(stored);
    if (!desired) {
      this.deps.delivered(state.delivery.written(key));
      return reconciled;
    }
    const hold = state.gate.hold(key, now);
    if (hold.hold) return hold.releaseAt === undefined ? reconciled : requeueAfter(hold.releaseAt - now);
    const inNamespace = this.existingIn(desired.namespace);
    const plan = planClientIntents(desired, [...[...inNamespace.values()].map(existingIntents), ...this.claims.takenBy(desired.namespace, key, (name) => inNamespace.has(name), (client) => this.deps.state.store.has(client))], { now, evidenceIntervalMs: this.deps.settings.evidenceIntervalMs, unobservedAfterMs: this.deps.settings.unobservedAfterMs, ...(state.leadingSince !== undefined ? { observingSince: state.leadingSince } : {}) }, this.fingerprintOf(key, now));
    this.recordDrift(key, plan.drift);
    if (plan.invalid) {
      log.error('desired ClientIntents is invalid; not written', { namespace: desired.namespace, name: desired.objectName, problem: plan.invalid });
    }
    if (plan.apply) {
      this.claims.claim(key, request.workload, desired.namespace, plan.apply.metadata.name);
      const current = inNamespace.get(plan.apply.metadata.name);
      this.remember(await writes.applyIntents(plan.apply, current?.metadata?.resourceVersion));
      log.info('ClientIntents applied', { namespace: desired.namespace, name: plan.apply.metadata.name, targets: plan.apply.spec?.targets.length });
    }
    if (plan.release) {
      // Git took the object over: our label and annotations go (SSA drops only the fields we alone own).
      const current = inNamespace.get(plan.release.metadata.name);
      this.remember(await writes.applyIntents(plan.release, current?.metadata?.resourceVersion));
      log.info('ClientIntents released to its GitOps engine: our label and annotations removed, its spec never written', { namespace: plan.release.metadata.namespace, name: plan.release.metadata.name, engine: plan.drift?.engine });
    }
    if (plan.applyStatus) this.remember(await writes.applyIntentsStatus(plan.applyStatus));
    if (plan.delete) {
      await ignoreNotFound(writes.deleteIntents(plan.delete.namespace, plan.delete.name));
      this.written.delete(`${plan.delete.namespace}/${plan.delete.name}`);
      this.forget(key);
      log.info('ClientIntents deleted: no targets left (expired, or the workload is gone)', plan.delete);
    }
    if (plan.event) {
      const target = inNamespace.get(plan.event.name);
      await writes.event(
        { apiVersion: `${clientIntentsDefinition.group}/${clientIntentsDefinition.version}`, kind: 'ClientIntents', namespace: plan.event.namespace, name: plan.event.name, uid: target?.metadata?.uid },
        'Normal',
        plan.drift?.engine ? 'GitOpsDrift' : 'ObservedTargetsMissing',
        plan.event.message,
      );
      this.eventFingerprints.set(key, { fingerprint: plan.event.fingerprint, at: this.deps.clock.now() });
    }
    // Written, or nothing needed writing (evidence-only changes wait for their interval).
    this.deps.delivered(state.delivery.written(key));
    return plan.recheckAfterMs !== undefined ? requeueAfter(plan.recheckAfterMs) : reconciled;
  }

  /** ClientIntents of a namespace as the informer has them, or as our last write returned them if newer. */
  existingIn(namespace: string): Map<string, ClientIntentsObject> {
    const byName = new Map<string, ClientIntentsObject>();
    for (const object of this.deps.intents.list(namespace)) byName.set(object.metadata?.name ?? '', object);
    for (const [key, object] of this.written) {
      if (object.metadata?.namespace !== namespace) continue;
      const cached = byName.get(object.metadata?.name ?? '');
      if (!cached || isNewerResourceVersion(object.metadata?.resourceVersion, cached.metadata?.resourceVersion)) byName.set(object.metadata?.name ?? '', object);
      else this.written.delete(key);
    }
    return byName;
  }

  existingIntentsFor(namespace: string): ExistingIntents[] {
    return [...this.existingIn(namespace).values()].map(existingIntents);
  }

  private forget(key: string): void {
    this.deps.state.store.forget(key);
    this.deps.state.http.forget(key);
    this.eventFingerprints.delete(key);
    this.claims.release(key);
    this.recordDrift(key, undefined);
  }

  private remember(object: ClientIntentsObject): void {
    slimIntents(object);
    this.written.set(`${object.metadata?.namespace}/${object.metadata?.name}`, object);
  }
}

export async function ignoreNotFound(write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw error;
  }
}

