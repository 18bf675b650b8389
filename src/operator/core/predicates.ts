import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';

/**
 * Predicates decide which informer events are worth a reconcile: an update that changes none of
 * the fields the operator reads (a pod's conditions, a node's heartbeat, the Intents Operator's
 * status on a ClientIntents) is skipped. They filter what is enqueued, not what is cached.
 * Each returns why an event is skipped, or undefined to let it through.
 */
export type SkipReason = 'unchanged-read-fields';

/**
 * A short digest of the fields read of an object (its projection, plain data): what is kept per
 * cached object to compare the next update against, instead of a second copy of the object.
 */
export function readFieldsFingerprint(projection: unknown): string {
  return createHash('sha1').update(canonicalJson(projection)).digest('base64');
}

/** An update whose read fields did not change (adds and deletes always pass). */
export function unchangedReadFields(previous: string | undefined, current: string | undefined): SkipReason | undefined {
  return previous !== undefined && previous === current ? 'unchanged-read-fields' : undefined;
}
