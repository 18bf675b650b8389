import type { WatcherStatus } from '../../operator/core/kafka/watcher-status.js';
import type { UnresolvedReason } from '../../operator/core/types.js';
import { formatAge, renderReadiness, type Readiness } from './readiness.js';
import { kafkaStatusLines } from './kafka/kafka-status.js';

/** What `status` read from the cluster, as plain data (times in ms). */
export interface StatusInput {
  readonly now: number;
  readonly namespace: string;
  readonly nodes: readonly string[];
  readonly snifferPods: readonly { readonly name: string; readonly node?: string; readonly ready: boolean }[];
  readonly observations: readonly {
    readonly node: string;
    readonly created: number;
    readonly windowEnd: number;
    readonly phase?: string;
    readonly unresolved: readonly { readonly reason: string; readonly count: number }[];
  }[];
  /** Undefined: no operator Deployment. */
  readonly operator?: { readonly name: string; readonly desired: number; readonly ready: number };
  /** Undefined: no Lease (nobody has led yet, or leader election is off). */
  readonly lease?: { readonly holder?: string; readonly acquired?: number; readonly renewed?: number; readonly durationSeconds?: number };
  /** Undefined: the ClientIntents CRD is not installed. */
  readonly crd?: { readonly ours: boolean; readonly versions: readonly string[] };
  /** Per client workload of network-mapper's ClientIntents, ready to enforce or not; undefined: not read. */
  readonly readiness?: { readonly stableForMs: number; readonly clients: readonly Readiness[] } | { readonly stableForMs: number; readonly unreadable: string };
  /** Undefined: no Kafka watcher status (its ConfigMap does not exist: no broker was ever followed). */
  readonly kafka?: WatcherStatus | 'unreadable';
}

/** At most this many workloads still learning are named; list --readiness names them all. */
export const learningShown = 10;

export interface StatusReport {
  readonly ok: boolean;
  readonly text: string;
}

/** Labels every sniffer pod carries (config/sniffer and the chart), and its DaemonSet's name. */
export const snifferPodLabels = { 'app.kubernetes.io/part-of': 'network-mapper', 'app.kubernetes.io/component': 'sniffer' } as const;
export const snifferDaemonSetName = 'network-mapper-sniffer';

/**
 * Whether a ClientIntents CRD is network-mapper's: generated from src/crds (config/crd/optional
 * carries the generated-by label) or installed by the chart (which labels it part of the release).
 */
export function isOurCrd(labels: Readonly<Record<string, string>> | undefined, generatedBy: Readonly<Record<string, string>>): boolean {
  if (!labels) return false;
  return Object.entries(generatedBy).every(([k, v]) => labels[k] === v) || labels['app.kubernetes.io/part-of'] === snifferPodLabels['app.kubernetes.io/part-of'];
}

/** A node whose last observation is older than this (while its sniffer is Ready) is not reporting. */
export const silentAfterMs = 5 * 60_000;
export const unresolvedWindowMs = 60 * 60_000;
/** Unprocessed observations beyond this are a backlog worth a warning (the sniffer's MAX_PENDING_OBJECTS defaults to 100). */
export const backlogWarning = 50;

/** What each unresolved reason means and what to do about it. */
export const reasonAdvice: Record<UnresolvedReason, string> = {
  'client-unknown-ip': 'the client IP matched no pod: traffic from nodes or outside the cluster, or a pod gone before it was seen. Nothing to do unless it is a pod you expect.',
  'client-host-network': 'the client is a hostNetwork pod, which shares its node\'s IP: it cannot be told apart. Expected for node agents.',
  'client-ip-ambiguous': 'several pods held the client IP: IP reuse. Rare; lower IP_HISTORY_SECONDS if frequent.',
  'client-not-running-at-time': 'the client pod did not exist when the traffic was seen (clock skew or IP reuse). Check node clocks (NTP).',
  'client-dns-resolver': 'a DNS answer went to a cluster resolver (CoreDNS, node-local DNS) that forwards it for other pods: not a lookup of its own. Expected; nothing to do.',
  'server-unknown-ip': 'the destination matched no pod, Service or node: often an external IP without a DNS answer seen first.',
  'server-host-network': 'the server is a hostNetwork pod: named after its node, not a workload.',
  'server-ip-ambiguous': 'several pods held the server IP: IP reuse.',
  'server-not-running-at-time': 'the server pod did not exist at the time seen. Check node clocks (NTP).',
  'cluster-name-unknown': 'a DNS name in the cluster domain that names no Service or pod: a typo or a deleted Service; check CLUSTER_DOMAIN.',
  'internet-disabled': 'internet targets are off (INTERNET_TARGETS=false), so these calls are not written.',
  'invalid-domain': 'a DNS name that is not a valid domain: ignored.',
  'self-call': 'a workload calling itself: not an intent.',
  'too-many-targets': 'a client reached the per-client target limit (1024): its extra targets are dropped.',
  'http-disabled': 'sniffers report HTTP requests but the operator\'s HTTP_PATHS is off (chart: httpPaths.enabled): no http is written.',
  'http-not-workload': 'HTTP to a server that is not one workload (a Service with mixed endpoints, the API server, an internet name): ClientIntents take http on kubernetes targets only.',
};

/** One screen: nodes and their sniffers, the operator and its leader, the backlog, unresolved reasons, the CRD. */
export function statusReport(input: StatusInput): StatusReport {
  const problems: string[] = [];
  const lines: string[] = [];
  const ago = (ms: number): string => humanDuration(input.now - ms);

  lines.push(`Sniffers (namespace ${input.namespace}):`);
  const nodes = [...new Set([...input.nodes, ...input.snifferPods.flatMap((p) => (p.node ? [p.node] : []))])].sort();
  if (nodes.length === 0) problems.push('no nodes found');
  for (const node of nodes) {
    const pods = input.snifferPods.filter((p) => p.node === node);
    const last = Math.max(-Infinity, ...input.observations.filter((o) => o.node === node).map((o) => o.created));
    const wrote = Number.isFinite(last) ? `last NetworkObservation ${ago(last)} ago` : 'no NetworkObservation kept';
    const ready = pods.some((p) => p.ready);
    const state = pods.length === 0 ? 'no sniffer pod' : ready ? 'Ready' : `not Ready (${pods.map((p) => p.name).join(', ')})`;
    lines.push(`  ${node}: ${state}, ${wrote}`);
    if (pods.length === 0) problems.push(`node ${node} has no sniffer pod: check the DaemonSet's nodeSelector/tolerations (kubectl -n ${input.namespace} describe daemonset ${snifferDaemonSetName})`);
    else if (!ready) problems.push(`the sniffer on ${node} is not Ready: kubectl -n ${input.namespace} describe pod ${pods[0]!.name}`);
    else if (!Number.isFinite(last) || input.now - last > silentAfterMs) {
      problems.push(`the sniffer on ${node} is Ready but wrote nothing for ${Number.isFinite(last) ? ago(last) : 'as long as observations are kept'}: no traffic, a paused backlog, or write errors (its log, and netmap_sniffer_write_errors_total)`);
    }
  }
  lines.push('  (capture drops and paused reporting are not in the API: see the sniffers\' netmap_sniffer_dropped_records_total and netmap_sniffer_backlog_paused metrics)');

  lines.push('Operator:');
  if (!input.operator) {
    lines.push('  no Deployment found');
    problems.push(`no operator Deployment in namespace ${input.namespace}: nothing turns observations into ClientIntents`);
  } else {
    lines.push(`  ${input.operator.name}: ${input.operator.ready}/${input.operator.desired} replicas ready`);
    if (input.operator.ready === 0) problems.push(`no operator replica is ready: kubectl -n ${input.namespace} describe deployment ${input.operator.name}`);
  }
  const lease = input.lease;
  if (!lease?.holder) {
    lines.push('  leader: none (no Lease held)');
    if (input.operator && input.operator.ready > 0) problems.push('no operator replica holds the Lease: none is writing ClientIntents');
  } else {
    const since = lease.acquired === undefined ? '' : ` since ${new Date(lease.acquired).toISOString()} (${ago(lease.acquired)})`;
    const renewed = lease.renewed === undefined ? '' : `, renewed ${ago(lease.renewed)} ago`;
    lines.push(`  leader: ${lease.holder}${since}${renewed}`);
    const expiry = (lease.durationSeconds ?? 15) * 1000;
    if (lease.renewed !== undefined && input.now - lease.renewed > expiry) problems.push(`the leader ${lease.holder} has not renewed its Lease for ${ago(lease.renewed)}: it is gone or stuck`);
  }

  const pending = input.observations.filter((o) => o.phase === undefined || o.phase === 'Pending');
  const oldest = Math.min(Infinity, ...pending.map((o) => o.created));
  lines.push(`Observations: ${input.observations.length} kept, ${pending.length} not processed yet${Number.isFinite(oldest) ? ` (oldest ${ago(oldest)} old)` : ''}, ${input.observations.filter((o) => o.phase === 'Invalid').length} invalid`);
  if (pending.length >= backlogWarning) problems.push(`${pending.length} NetworkObservations wait to be processed: the operator is behind or not leading`);

  const recent = input.observations.filter((o) => o.windowEnd >= input.now - unresolvedWindowMs);
  const byReason = new Map<string, number>();
  for (const o of recent) for (const u of o.unresolved) byReason.set(u.reason, (byReason.get(u.reason) ?? 0) + u.count);
  lines.push(`Unresolved records over the last hour (of the observations still kept): ${byReason.size === 0 ? 'none' : ''}`.trimEnd());
  for (const [reason, count] of [...byReason].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))) {
    lines.push(`  ${reason}: ${count}: ${reasonAdvice[reason as UnresolvedReason] ?? 'a reason this CLI does not know: see docs/operator.md'}`);
  }

  if (!input.crd) {
    lines.push('ClientIntents CRD: not installed');
    problems.push('the ClientIntents CRD is not installed: install the Otterize Intents Operator, or kubectl create -f config/crd/optional/ (create, never apply, so that it can never replace Otterize\'s)');
  } else {
    lines.push(`ClientIntents CRD: ${input.crd.ours ? "network-mapper's (config/crd/optional)" : "Otterize's (the Intents Operator's)"}, versions ${input.crd.versions.join(', ')}`);
  }

  if (input.readiness && 'unreadable' in input.readiness) {
    lines.push(`Ready to enforce: not known, network-mapper's ClientIntents could not be read (${input.readiness.unreadable})`);
  } else if (input.readiness) {
    const { clients, stableForMs } = input.readiness;
    const learning = clients.filter((c) => !c.ready);
    lines.push(`Ready to enforce (nothing new for ${formatAge(stableForMs)}): ${clients.length - learning.length} of ${clients.length} client workloads`);
    if (learning.length > 0) {
      lines.push(...renderReadiness(learning.slice(0, learningShown)).trimEnd().split('\n').map((line) => `  ${line}`));
      if (learning.length > learningShown) lines.push(`  ... and ${learning.length - learningShown} more (kubectl netmap list --readiness)`);
    }
  }

  if (input.kafka) {
    const kafka = kafkaStatusLines(input.kafka, input.now, ago, lease?.holder !== undefined);
    lines.push(...kafka.lines);
    problems.push(...kafka.problems);
  }

  lines.push(problems.length === 0 ? 'Status: OK' : `Status: ${problems.length} problem${problems.length > 1 ? 's' : ''}`);
  for (const p of problems) lines.push(`  - ${p}`);
  return { ok: problems.length === 0, text: `${lines.join('\n')}\n` };
}

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
