import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../../core/command.js';
import type { IntentsObject } from '../../core/intents-object.js';
import { observedEdges } from '../../core/network-policy/observed-edges.js';
import { planNetworkPolicies, selectPolicies, selectSkipped } from '../../core/network-policy/plan-policies.js';
import { workloadKey } from '../../core/network-policy/policy-facts.js';
import { policyDirectoryLayout, renderPolicies, renderSkipped } from '../../core/network-policy/policy-yaml.js';
import { readinessOf } from '../../core/readiness.js';
import { readPolicyFacts } from '../read-policy-facts.js';
import { stableForMs } from '../read-stable-for.js';
import { loadUserKubeConfig } from '../user-kube-config.js';
import { attempt, type Streams } from '../write-export.js';

type ExportCommand = Extract<Command, { kind: 'export' }>;

/** `export --format networkpolicy`: plan from the map and the cluster's pods, write, list what was skipped on stderr. */
export async function runExportPolicies(command: ExportCommand, objects: readonly IntentsObject[], streams: Streams): Promise<void> {
  // `objects`: the whole map (wholeMap); the selection picks the policies (selectPolicies).
  const kc = loadUserKubeConfig(command.cluster);
  const timeout = command.cluster.requestTimeoutSeconds;
  const edges = observedEdges(objects);
  const facts = await readPolicyFacts(kc, edges, timeout);
  const readyOnly = command.policy?.readyOnly;
  let ready: Set<string> | undefined;
  if (readyOnly) {
    const period = await stableForMs(kc, readyOnly, timeout, (text) => streams.stderr(`warning: ${text}\n`));
    ready = new Set(readinessOf(objects, Date.now(), period).filter((r) => r.ready).map((r) => workloadKey(r.workload)));
  }
  const whole = planNetworkPolicies(edges, facts, { egress: command.policy?.egress === true, ...(ready ? { ready } : {}) });
  const plan = { policies: selectPolicies(whole.policies, command.selection), skipped: selectSkipped(whole.skipped, command.selection) };
  const output = command.output;
  if (output.type === 'stdout') streams.stdout(renderPolicies(plan.policies));
  else if (output.type === 'file') {
    attempt(`write ${output.path}`, () => writeFileSync(output.path, renderPolicies(plan.policies)));
  } else {
    attempt(`create the directory ${output.path}`, () => mkdirSync(output.path, { recursive: true }));
    for (const [name, content] of policyDirectoryLayout(plan.policies)) attempt(`write ${join(output.path, name)}`, () => writeFileSync(join(output.path, name), content));
  }
  streams.stderr(renderSkipped(plan.skipped));
  if (output.type !== 'stdout') streams.stderr(`wrote ${plan.policies.length} NetworkPolicies to ${output.path}${output.type === 'dir' ? '/ with a kustomization.yaml listing them' : ''}\n`);
}
