/**
 * What a reconciler tells its controller, instead of calling the queue itself: done (the key's
 * backoff starts over), look again after a while, or (by throwing) retry with backoff. A
 * TerminalError is a failure that retrying cannot fix: it is logged and counted, not retried.
 */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

export const reconciled: ReconcileResult = {};

export function requeueAfter(ms: number): ReconcileResult {
  return { requeueAfterMs: Math.max(0, ms) };
}

export interface Reconciler<R> {
  reconcile(request: R): Promise<ReconcileResult>;
}

export class TerminalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** A namespaced object, for the index reconcilers and observations. */
export interface ObjectRequest {
  readonly namespace: string;
  readonly name: string;
}

/** A cluster-scoped object (Node, Namespace). */
export interface NameRequest {
  readonly name: string;
}

/** One client workload: its ClientIntents is what the client-intents reconciler brings up to date. */
export interface ClientRequest {
  readonly namespace: string;
  readonly workload: { readonly name: string; readonly kind?: string };
}

export function objectId(r: ObjectRequest): string {
  return JSON.stringify([r.namespace, r.name]);
}

export function nameId(r: NameRequest): string {
  return r.name;
}
