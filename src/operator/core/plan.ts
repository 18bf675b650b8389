import { intentsBounds } from '../../crds/bounds.js';
import { clientIntentsDefinition, clientIntentsSpec, type ClientIntentsSpec, type IntentsTarget } from '../../crds/client-intents.js';
import { uncoveredKafka } from './kafka/kafka-coverage.js';
import { capEvidence, decodeEvidence, evidenceAnnotation, evidenceAnnotations, evidenceDiffers, evidenceWrittenAtAnnotation, portsAdded } from './evidence.js';
import { httpOverflowAnnotation } from './http-intents.js';
import type { DesiredIntents } from './intents-store.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { managedByLabel, managedByValue } from '../../shared/ownership.js';


/** A ClientIntents as read from the cluster, reduced to what planning needs. */
export interface ExistingIntents {
  readonly namespace: string;
  readonly name: string;
  readonly managed: boolean;
  readonly spec: unknown;
  readonly annotations: Readonly<Record<string, string>>;
  readonly resolvedIPs?: readonly { dns: string; ips: readonly string[] }[];
}

export interface PlanOptions {
  readonly now: number;
  /** Evidence alone is written at most this often per object. */
  readonly evidenceIntervalMs: number;
}

export interface ApplyBody {
  apiVersion: string;
  kind: 'ClientIntents';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: ClientIntentsSpec;
  status?: { resolvedIPs: { dns: string; ips: string[] }[] };
}

export interface IntentsPlan {
  readonly apply?: ApplyBody;
  readonly applyStatus?: ApplyBody;
  readonly delete?: { readonly namespace: string; readonly name: string };
  /** For a user-managed ClientIntents: the observed targets it lacks. */
  readonly event?: { readonly namespace: string; readonly name: string; readonly message: string; readonly fingerprint: string };
  /** Evidence is pending but throttled: look again after this long. */
  readonly recheckAfterMs?: number;
  readonly invalid?: string;
}

const apiVersion = `${clientIntentsDefinition.group}/${clientIntentsDefinition.version}`;

/**
 * The writes that bring one client workload's ClientIntents to the desired state: none when it
 * already matches. A ClientIntents for the same workload that we do not manage wins: we never
 * write a second one (the Intents Operator would reject it) and report what it lacks instead.
 */
export function planClientIntents(desired: DesiredIntents, inNamespace: readonly ExistingIntents[], options: PlanOptions, lastEventFingerprint?: string): IntentsPlan {
  const workload = desired.spec.workload;
  const userOwned = inNamespace.find((e) => !e.managed && coversWorkload(e.spec, workload));
  if (userOwned) return planForUserOwned(desired, userOwned, lastEventFingerprint);

  // Ours is found by workload name *and* kind, never by object name alone: a Deployment and a
  // CronJob called `web` each keep their own object.
  const ours = inNamespace.find((e) => e.managed && isWorkload(e.spec, workload));
  const name = ours?.name ?? freeName(desired.objectName, workload, inNamespace);

  if (desired.spec.targets.length === 0) return ours ? { delete: { namespace: desired.namespace, name } } : {};

  const checked = clientIntentsSpec.safeParse(desired.spec);
  if (!checked.success) return { invalid: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };

  const plan: { apply?: ApplyBody; applyStatus?: ApplyBody; recheckAfterMs?: number } = {};
  const specChanged = !ours || canonicalJson(ours.spec) !== canonicalJson(desired.spec);
  const writtenEvidence = decodeEvidence(ours?.annotations[evidenceAnnotation]);
  // Compared as it would be written: evidence left out for its size does not count as a change.
  const keptEvidence = capEvidence(desired.evidence).kept;
  const evidenceChanged = evidenceDiffers(keptEvidence, writtenEvidence, options.evidenceIntervalMs);
  // A new server port changes the NetworkPolicy export as a new target does: written at once.
  const newPort = portsAdded(keptEvidence, writtenEvidence);
  const writtenAt = Date.parse(ours?.annotations[evidenceWrittenAtAnnotation] ?? '');
  const evidenceDue = Number.isNaN(writtenAt) || options.now - writtenAt >= options.evidenceIntervalMs;
  const labelled = ours?.managed === true;
  const extra = desired.annotations ?? {};
  const extraChanged = extraAnnotationsDiffer(extra, ours?.annotations ?? {});

  if (specChanged || !labelled || newPort || extraChanged || (evidenceChanged && evidenceDue)) {
    plan.apply = {
      apiVersion,
      kind: 'ClientIntents',
      metadata: {
        name,
        namespace: desired.namespace,
        labels: { [managedByLabel]: managedByValue },
        annotations: { ...evidenceAnnotations(desired.evidence, options.now), ...extra },
      },
      spec: checked.data,
    };
  } else if (evidenceChanged) {
    plan.recheckAfterMs = Math.max(1000, writtenAt + options.evidenceIntervalMs - options.now);
  }

  const status = statusPlan(name, desired.namespace, ours?.resolvedIPs ?? [], desired.resolvedIPs);
  if (status) plan.applyStatus = status;
  return plan;
}

/** Our bookkeeping annotations besides the evidence: written with the spec, dropped by apply when no longer wanted. */
const extraAnnotationKeys = [httpOverflowAnnotation];

function extraAnnotationsDiffer(wanted: Readonly<Record<string, string>>, written: Readonly<Record<string, string>>): boolean {
  return extraAnnotationKeys.some((key) => wanted[key] !== written[key]);
}

/**
 * status.resolvedIPs when it differs from what is written: also when every IP has aged out (an
 * empty list), but not for an object that has none and needs none.
 */
function statusPlan(name: string, namespace: string, written: readonly { dns: string; ips: readonly string[] }[], wanted: readonly { dns: string; ips: readonly string[] }[]): ApplyBody | undefined {
  if ((wanted.length === 0 && written.length === 0) || canonicalJson(written) === canonicalJson(wanted)) return undefined;
  return { apiVersion, kind: 'ClientIntents', metadata: { name, namespace }, status: { resolvedIPs: wanted.map((r) => ({ dns: r.dns, ips: [...r.ips] })) } };
}

/**
 * status.resolvedIPs of a user's ClientIntents: for each of its internet domains, the IPs this
 * client was answered for it (a leading `*.` matches every name under it), at most ipsPerTarget.
 * Enforcement of the user's internet targets depends on it, as with the reference mapper.
 */
function userResolvedIPs(spec: unknown, known: readonly { dns: string; ips: readonly string[] }[]): { dns: string; ips: string[] }[] {
  const domains = new Set(targetsOf(spec).flatMap((t) => t.internet?.domains ?? []));
  const out: { dns: string; ips: string[] }[] = [];
  for (const domain of [...domains].sort()) {
    const matches = domain.startsWith('*.') ? (dns: string) => dns.endsWith(domain.slice(1)) : (dns: string) => dns === domain;
    const ips = new Set(known.filter((k) => matches(k.dns)).flatMap((k) => k.ips));
    if (ips.size > 0) out.push({ dns: domain, ips: [...ips].sort().slice(0, intentsBounds.ipsPerTarget) });
  }
  return out.slice(0, intentsBounds.resolvedIPsEntries);
}

/**
 * Our usual name, unless another ClientIntents already has it: when that is ours for another
 * kind of the same workload name, the name with the kind (`web-cronjob`); otherwise (somebody
 * else's object) `-netmap` suffixes. Never apply over another object. Kept once written: the
 * store is seeded with the written name.
 */
function freeName(preferred: string, workload: ClientIntentsSpec['workload'], inNamespace: readonly ExistingIntents[]): string {
  const taken = new Set(inNamespace.map((e) => e.name));
  if (!taken.has(preferred)) return preferred;
  const holder = inNamespace.find((e) => e.name === preferred);
  const kind = workload.kind;
  if (kind && holder?.managed && workloadOf(holder.spec)?.name === workload.name) {
    const suffix = `-${kind.toLowerCase()}`;
    const withKind = `${preferred.slice(0, 253 - suffix.length)}${suffix}`;
    if (!taken.has(withKind)) return withKind;
  }
  for (let i = 1; ; i++) {
    const suffix = i === 1 ? '-netmap' : `-netmap-${i}`;
    const candidate = `${preferred.slice(0, 253 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A user's ClientIntents: its spec is theirs; we write only status.resolvedIPs, and an Event for what it lacks. */
function planForUserOwned(desired: DesiredIntents, existing: ExistingIntents, lastFingerprint: string | undefined): IntentsPlan {
  const resolved = desired.spec.targets.length > 0 ? userResolvedIPs(existing.spec, desired.resolvedIPs) : (existing.resolvedIPs ?? []);
  const status = statusPlan(existing.name, existing.namespace, existing.resolvedIPs ?? [], resolved);
  const withStatus: IntentsPlan = status ? { applyStatus: status } : {};
  const declared = targetsOf(existing.spec);
  const theirs = new Set(declared.map(targetIdentity));
  const missing = desired.spec.targets.flatMap((t): IntentsTarget[] => {
    if (t.kafka) {
      const lacking = uncoveredKafka(t.kafka, declared);
      return lacking ? [{ kafka: lacking }] : [];
    }
    return theirs.has(targetIdentity(t)) ? [] : [t];
  });
  if (missing.length === 0) return withStatus;
  const described = missing.map(describeTarget);
  const fingerprint = canonicalJson(described);
  if (fingerprint === lastFingerprint) return withStatus;
  const shown = described.slice(0, 20).join(', ') + (described.length > 20 ? ` and ${described.length - 20} more` : '');
  return {
    ...withStatus,
    event: {
      namespace: existing.namespace,
      name: existing.name,
      message: `network-mapper observed ${missing.length} target(s) this ClientIntents lacks: ${shown}`,
      fingerprint,
    },
  };
}

/** Ports aside: a user's internet target covering the domain counts as covering ours. */
function targetIdentity(target: IntentsTarget): string {
  if (target.kubernetes) return `kubernetes:${target.kubernetes.name}#${target.kubernetes.kind ?? ''}`;
  if (target.service) return `service:${target.service.name}`;
  if (target.internet) return `internet:${[...(target.internet.domains ?? []), ...(target.internet.ips ?? [])].sort().join(',')}`;
  if (target.kafka) return `kafka:${target.kafka.name}`;
  return canonicalJson(target);
}

function describeTarget(target: IntentsTarget): string {
  if (target.kubernetes) return target.kubernetes.kind ? `${target.kubernetes.name} (${target.kubernetes.kind})` : target.kubernetes.name;
  if (target.service) return `service ${target.service.name}`;
  if (target.internet) return `internet ${(target.internet.domains ?? []).join(',')}`;
  if (target.kafka) return `kafka ${target.kafka.name} (${(target.kafka.topics ?? []).map((t) => `${t.name}: ${t.operations.join(',')}`).join('; ')})`;
  return canonicalJson(target);
}

function workloadOf(spec: unknown): { name?: unknown; kind?: unknown } | undefined {
  return (spec as { workload?: { name?: unknown; kind?: unknown } } | undefined)?.workload;
}

/** The same workload: name and kind (both absent counts as equal). */
function isWorkload(spec: unknown, workload: ClientIntentsSpec['workload']): boolean {
  const theirs = workloadOf(spec);
  return theirs?.name === workload.name && (theirs.kind ?? undefined) === workload.kind;
}

/** A user's ClientIntents without a kind is taken to cover every kind of that name (theirs wins). */
function coversWorkload(spec: unknown, workload: ClientIntentsSpec['workload']): boolean {
  const theirs = workloadOf(spec);
  return theirs?.name === workload.name && (theirs.kind === undefined || workload.kind === undefined || theirs.kind === workload.kind);
}

function targetsOf(spec: unknown): IntentsTarget[] {
  const targets = (spec as { targets?: unknown } | undefined)?.targets;
  return Array.isArray(targets) ? (targets as IntentsTarget[]) : [];
}
