import { intentsBounds } from '../../crds/bounds.js';
import { clientIntentsDefinition, clientIntentsSpec, type ClientIntentsSpec, type IntentsTarget } from '../../crds/client-intents.js';
import { uncoveredKafka } from './kafka/kafka-coverage.js';
import { capEvidence, decodeEvidence, evidenceAnnotation, evidenceAnnotations, evidenceDiffers, evidenceWrittenAtAnnotation, portsAdded } from './evidence.js';
import { httpOverflowAnnotation } from './http-intents.js';
import type { DesiredIntents } from './intents-store.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { bookkeepingAnnotationPrefix, managedByLabel, managedByValue } from '../../shared/ownership.js';
import type { GitOpsManagement } from '../../shared/gitops.js';
import type { DriftEntry } from './drift-report.js';


/** A ClientIntents as read from the cluster, reduced to what planning needs. */
export interface ExistingIntents {
  readonly namespace: string;
  readonly name: string;
  readonly managed: boolean;
  readonly spec: unknown;
  readonly annotations: Readonly<Record<string, string>>;
  readonly resolvedIPs?: readonly { dns: string; ips: readonly string[] }[];
  /** Applied by a GitOps engine (shared/gitops.ts): never ours, whatever labels it carries. */
  readonly gitOps?: GitOpsManagement;
  /** Whether our field manager still owns a field of it (status aside); undefined: not known. */
  readonly ownsFields?: boolean;
}

/** Ours to write: our label, and no GitOps engine applies it. */
function isOurs(existing: ExistingIntents): boolean {
  return existing.managed && existing.gitOps === undefined;
}

export interface PlanOptions {
  readonly now: number;
  /** Evidence alone is written at most this often per object. */
  readonly evidenceIntervalMs: number;
  /**
   * A target a user's (or GitOps engine's) ClientIntents declares counts as unobserved once the
   * map has been built for this long without it; 0 never (docs/gitops.md).
   */
  readonly unobservedAfterMs?: number;
  /** Since when this operator has built the map (its leadership began). */
  readonly observingSince?: number;
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
  /**
   * Drops our label and annotations from an object a GitOps engine now applies (an apply of
   * nothing under our field manager: SSA removes the fields only we owned, and no other).
   */
  readonly release?: ApplyBody;
  /** For a client whose ClientIntents is not ours: how far the map and the declared object differ. */
  readonly drift?: DriftEntry;
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
  // A GitOps engine's object wins even when it carries our label (an export of ours committed to
  // git and applied under our object's name): its spec is git's from then on.
  const userOwned = inNamespace.find((e) => !isOurs(e) && coversWorkload(e.spec, workload));
  if (userOwned) return planForUserOwned(desired, userOwned, lastEventFingerprint, options);

  // Ours is found by workload name *and* kind, never by object name alone: a Deployment and a
  // CronJob called `web` each keep their own object.
  const ours = inNamespace.find((e) => isOurs(e) && isWorkload(e.spec, workload));
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
  if (kind && holder && isOurs(holder) && workloadOf(holder.spec)?.name === workload.name) {
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

/**
 * A user's or a GitOps engine's ClientIntents: its spec is theirs; we write only
 * status.resolvedIPs, and an Event for what it lacks (observed, not declared) and for what it
 * declares that the map has not held for `unobservedAfterMs`. An engine's object that still
 * carries our label and annotations (ours until git took it over) is released of them once.
 */
function planForUserOwned(desired: DesiredIntents, existing: ExistingIntents, lastFingerprint: string | undefined, options: PlanOptions): IntentsPlan {
  const resolved = desired.spec.targets.length > 0 ? userResolvedIPs(existing.spec, desired.resolvedIPs) : (existing.resolvedIPs ?? []);
  const status = statusPlan(existing.name, existing.namespace, existing.resolvedIPs ?? [], resolved);
  const release: ApplyBody | undefined =
    existing.gitOps && existing.ownsFields !== false && (existing.managed || Object.keys(existing.annotations).some((key) => key.startsWith(bookkeepingAnnotationPrefix)))
      ? { apiVersion, kind: 'ClientIntents', metadata: { name: existing.name, namespace: existing.namespace } }
      : undefined;
  const declared = targetsOf(existing.spec);
  const theirs = new Set(declared.map(targetIdentity));
  const missing = desired.spec.targets.flatMap((t): IntentsTarget[] => {
    if (t.kafka) {
      const lacking = uncoveredKafka(t.kafka, declared);
      return lacking ? [{ kafka: lacking }] : [];
    }
    return theirs.has(targetIdentity(t)) ? [] : [t];
  });
  const unobserved = unobservedTargets(declared, desired, options);
  const drift: DriftEntry = { namespace: existing.namespace, name: existing.name, workload: desired.spec.workload, ...(existing.gitOps ? { engine: existing.gitOps.engine } : {}), undeclared: missing, unobserved };
  const quiet: IntentsPlan = { ...(status ? { applyStatus: status } : {}), ...(release ? { release } : {}), drift };
  if (missing.length === 0 && unobserved.length === 0) return quiet;
  const described = missing.map(describeTarget);
  const gone = unobserved.map(describeTarget);
  const fingerprint = canonicalJson({ described, gone });
  if (fingerprint === lastFingerprint) return quiet;
  const list = (items: string[]) => items.slice(0, 20).join(', ') + (items.length > 20 ? ` and ${items.length - 20} more` : '');
  const where = existing.gitOps ? ` (applied by ${existing.gitOps.engine}: commit \`kubectl netmap export --only-undeclared\`)` : '';
  const parts = [
    ...(missing.length > 0 ? [`network-mapper observed ${missing.length} target(s) this ClientIntents lacks${where}: ${list(described)}`] : []),
    ...(unobserved.length > 0 ? [`${unobserved.length} declared target(s) not observed for ${Math.round((options.unobservedAfterMs ?? 0) / 1000)} s: ${list(gone)}`] : []),
  ];
  return { ...quiet, event: { namespace: existing.namespace, name: existing.name, message: parts.join('; '), fingerprint } };
}

/**
 * Declared targets of a kind the map holds (workloads, Services, internet names; Kafka ACLs are
 * compared per topic elsewhere) that it
 * does not hold, once the map has been built for `unobservedAfterMs`: before that, unknown.
 */
function unobservedTargets(declared: readonly IntentsTarget[], desired: DesiredIntents, options: PlanOptions): IntentsTarget[] {
  const after = options.unobservedAfterMs ?? 0;
  if (after <= 0 || options.observingSince === undefined || options.now - options.observingSince < after) return [];
  const held = new Set(desired.spec.targets.map(targetIdentity));
  return declared.filter((t) => (t.kubernetes || t.service || t.internet) && !held.has(targetIdentity(t)));
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
