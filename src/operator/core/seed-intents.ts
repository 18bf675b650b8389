import { clientIntentsSpec } from '../../crds/client-intents.js';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';
import { decodeEvidence, evidenceAnnotation } from './evidence.js';
import { httpOverflowAnnotation } from './http-intents.js';
import type { SeedIntents } from './intents-store.js';

/** A ClientIntents as read from the cache: only what seeding looks at. */
export interface WrittenIntents {
  readonly metadata?: { readonly namespace?: string; readonly name?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: unknown;
  readonly status?: { readonly resolvedIPs?: readonly { dns: string; ips: readonly string[] }[] };
}

/** A seed, with the annotation its HTTP paths' overflow counts were written in (HTTP paths on). */
export type SeedSource = SeedIntents & { readonly httpOverflow?: string };

export interface SeedSources {
  /** What a new leader rebuilds its store (and its HTTP paths) from: the ClientIntents it wrote before. */
  readonly seeds: SeedSource[];
  /** Ours, but with a spec that does not parse: not seeded, so the next write replaces it. */
  readonly unreadable: { readonly namespace: string; readonly name: string }[];
}

/**
 * Which ClientIntents a new leader seeds its store from: those labelled as managed by
 * network-mapper whose spec parses, with their evidence annotation and `status.resolvedIPs`,
 * so unchanged traffic after a restart leads to the same objects and no writes.
 */
export function seedSourcesFrom(objects: Iterable<WrittenIntents>): SeedSources {
  const seeds: SeedSource[] = [];
  const unreadable: { namespace: string; name: string }[] = [];
  for (const object of objects) {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    if (object.metadata?.labels?.[managedByLabel] !== managedByValue) continue;
    const spec = clientIntentsSpec.safeParse(object.spec);
    if (!spec.success) {
      unreadable.push({ namespace, name });
      continue;
    }
    const annotations = object.metadata.annotations ?? {};
    const httpOverflow = annotations[httpOverflowAnnotation];
    seeds.push({
      namespace,
      objectName: name,
      spec: spec.data,
      evidence: decodeEvidence(annotations[evidenceAnnotation]),
      resolvedIPs: object.status?.resolvedIPs,
      ...(httpOverflow === undefined ? {} : { httpOverflow }),
    });
  }
  return { seeds, unreadable };
}
