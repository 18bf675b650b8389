import { clientIntentsDefinition, clientIntentsSpec, type ClientIntentsSpec, type IntentsTarget } from '../../crds/client-intents.js';
import { capEvidence, decodeEvidence, evidenceAnnotation, evidenceAnnotations, evidenceDiffers, evidenceWrittenAtAnnotation } from './evidence.js';
import type { DesiredIntents } from './intents-store.js';
import { canonicalJson } from './canonical-json.js';
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
  const workloadName = desired.spec.workload.name;
  const userOwned = inNamespace.find((e) => !e.managed && workloadOf(e.spec) === workloadName);
  if (userOwned) return planForUserOwned(desired, userOwned, lastEventFingerprint);

  const ours = inNamespace.find((e) => e.managed && e.name === desired.objectName) ?? inNamespace.find((e) => e.managed && workloadOf(e.spec) === workloadName);
  const name = ours?.name ?? freeName(desired.objectName, inNamespace);

  if (desired.spec.targets.length === 0) return ours ? { delete: { namespace: desired.namespace, name } } : {};

  const checked = clientIntentsSpec.safeParse(desired.spec);
  if (!checked.success) return { invalid: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };

  const plan: { apply?: ApplyBody; applyStatus?: ApplyBody; recheckAfterMs?: number } = {};
  const specChanged = !ours || canonicalJson(ours.spec) !== canonicalJson(desired.spec);
  const writtenEvidence = decodeEvidence(ours?.annotations[evidenceAnnotation]);
  // Compared as it would be written: evidence left out for its size does not count as a change.
  const evidenceChanged = evidenceDiffers(capEvidence(desired.evidence).kept, writtenEvidence, options.evidenceIntervalMs);
  const writtenAt = Date.parse(ours?.annotations[evidenceWrittenAtAnnotation] ?? '');
  const evidenceDue = Number.isNaN(writtenAt) || options.now - writtenAt >= options.evidenceIntervalMs;
  const labelled = ours?.managed === true;

  if (specChanged || !labelled || (evidenceChanged && evidenceDue)) {
    plan.apply = {
      apiVersion,
      kind: 'ClientIntents',
      metadata: {
        name,
        namespace: desired.namespace,
        labels: { [managedByLabel]: managedByValue },
        annotations: evidenceAnnotations(desired.evidence, options.now),
      },
      spec: checked.data,
    };
  } else if (evidenceChanged) {
    plan.recheckAfterMs = Math.max(1000, writtenAt + options.evidenceIntervalMs - options.now);
  }

  if (desired.resolvedIPs.length > 0 && canonicalJson(ours?.resolvedIPs ?? []) !== canonicalJson(desired.resolvedIPs)) {
    plan.applyStatus = {
      apiVersion,
      kind: 'ClientIntents',
      metadata: { name, namespace: desired.namespace },
      status: { resolvedIPs: desired.resolvedIPs.map((r) => ({ dns: r.dns, ips: [...r.ips] })) },
    };
  }
  return plan;
}

/** Our usual name, unless somebody else's ClientIntents already has it: never apply over theirs. */
function freeName(preferred: string, inNamespace: readonly ExistingIntents[]): string {
  const taken = new Set(inNamespace.map((e) => e.name));
  if (!taken.has(preferred)) return preferred;
  for (let i = 1; ; i++) {
    const suffix = i === 1 ? '-netmap' : `-netmap-${i}`;
    const candidate = `${preferred.slice(0, 253 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function planForUserOwned(desired: DesiredIntents, existing: ExistingIntents, lastFingerprint: string | undefined): IntentsPlan {
  const theirs = new Set(targetsOf(existing.spec).map(targetIdentity));
  const missing = desired.spec.targets.filter((t) => !theirs.has(targetIdentity(t)));
  if (missing.length === 0) return {};
  const described = missing.map(describeTarget);
  const fingerprint = canonicalJson(described);
  if (fingerprint === lastFingerprint) return {};
  const shown = described.slice(0, 20).join(', ') + (described.length > 20 ? ` and ${described.length - 20} more` : '');
  return {
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
  return canonicalJson(target);
}

function workloadOf(spec: unknown): string | undefined {
  const name = (spec as { workload?: { name?: unknown } } | undefined)?.workload?.name;
  return typeof name === 'string' ? name : undefined;
}

function targetsOf(spec: unknown): IntentsTarget[] {
  const targets = (spec as { targets?: unknown } | undefined)?.targets;
  return Array.isArray(targets) ? (targets as IntentsTarget[]) : [];
}
