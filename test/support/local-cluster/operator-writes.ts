import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { releasePods } from './network-mapper-release.js';

/** One ClientIntents write (apply, release or delete) as the operator logged it. */
export interface LoggedIntentsWrite {
  readonly at: string;
  readonly pod: string;
  readonly namespace: string;
  readonly name: string;
  readonly message: string;
}

/**
 * The ClientIntents writes the operator's pods logged since `since` (ms), oldest first: every
 * apply, release and delete is one JSON line naming the object (client-intents-reconciler.ts).
 * netmap_writes_total counts them; this says which objects they were, for a test's failure message.
 */
export async function loggedIntentsWrites(admin: KubeConfig, namespace: string, since: number): Promise<LoggedIntentsWrite[]> {
  const core = admin.makeApiClient(CoreV1Api);
  const sinceSeconds = Math.max(1, Math.ceil((Date.now() - since) / 1000) + 1);
  const writes: LoggedIntentsWrite[] = [];
  for (const pod of (await releasePods(admin, namespace)).operators) {
    const name = pod.metadata!.name!;
    const text = await core.readNamespacedPodLog({ namespace, name, sinceSeconds }).catch(() => '');
    for (const line of text.split('\n')) {
      let entry: { message?: unknown; namespace?: unknown; name?: unknown; timestamp?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (typeof entry.message !== 'string' || !entry.message.startsWith('ClientIntents ') || typeof entry.timestamp !== 'string') continue;
      if (Date.parse(entry.timestamp) < since) continue;
      writes.push({ at: entry.timestamp, pod: name, namespace: String(entry.namespace), name: String(entry.name), message: entry.message.split(':')[0]! });
    }
  }
  return writes.sort((a, b) => a.at.localeCompare(b.at));
}

/** `2026-12-07T10:00:00.000Z network-mapper-operator-x: ClientIntents applied e2e-shop/web`, one per line. */
export function describeWrites(writes: readonly LoggedIntentsWrite[]): string {
  return writes.map((w) => `${w.at} ${w.pod}: ${w.message} ${w.namespace}/${w.name}`).join('\n') || 'none logged';
}
