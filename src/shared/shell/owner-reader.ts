import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { errorFields, type Logger } from '../logger.js';
import { BoundedMap } from '../core/bounded-map.js';
import { ownerKey, type OwnerLookup } from '../../operator/core/workload-identity.js';
import type { OwnerRef } from '../../operator/core/types.js';

const errorTtlMs = 60_000;
const foundTtlMs = 30 * 60_000;
const maxEntries = 50_000;

/**
 * Reads pod owners (ReplicaSet, Deployment, Job, CronJob, ... and any other kind, found through
 * discovery) when a pod first needs them, and caches them: owners change rarely, and thousands
 * of pods share a few hundred owners. Errors are cached briefly so a missing owner is retried.
 */
export class OwnerReader {
  private readonly api: KubernetesObjectApi;
  /** At most maxEntries owners, oldest read first out (never cleared at once: a pod storm would re-read every owner). */
  private readonly cache = new BoundedMap<string, { lookup: OwnerLookup; until: number }>(maxEntries);
  private readonly inflight = new Map<string, Promise<OwnerLookup>>();

  /** `now`: the operator's clock (its cache ages in the same time as everything else). */
  constructor(kc: KubeConfig, private readonly log: Logger, private readonly now: () => number = () => Date.now()) {
    this.api = KubernetesObjectApi.makeApiClient(kc);
  }

  cached(namespace: string, ref: OwnerRef, now = this.now()): OwnerLookup | undefined {
    const entry = this.cache.get(ownerKey(namespace, ref));
    return entry && entry.until > now ? entry.lookup : undefined;
  }

  read(namespace: string, ref: OwnerRef): Promise<OwnerLookup> {
    const key = ownerKey(namespace, ref);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(namespace, ref).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async fetch(namespace: string, ref: OwnerRef): Promise<OwnerLookup> {
    const key = ownerKey(namespace, ref);
    let lookup: OwnerLookup;
    try {
      const owner = await this.api.read<KubernetesObject>({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace } });
      lookup = {
        status: 'found',
        ownerReferences: (owner.metadata?.ownerReferences ?? []).map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name, controller: r.controller })),
      };
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 403) lookup = { status: 'forbidden' };
      else if (code === 404) lookup = { status: 'notFound' };
      else if (code === undefined && /Unrecognized API version and kind/.test(String((error as Error).message))) lookup = { status: 'unknownKind' };
      else throw error;
      this.log.info('owner walk stops at an owner it cannot read', { namespace, kind: ref.kind, name: ref.name, status: lookup.status, ...errorFields(error) });
    }
    const now = this.now();
    this.cache.set(key, { lookup, until: now + (lookup.status === 'found' ? foundTtlMs : errorTtlMs) });
    return lookup;
  }
}
