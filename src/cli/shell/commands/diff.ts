import type { DiffCommand } from '../../core/commands/diff.js';
import { exitCodes } from '../../core/exit-codes.js';
import { clusterDiff, renderDiff, renderDiffJson, type DeclaredIntents } from '../../core/intents-diff.js';
import { selectIntents } from '../../core/selection.js';
import { observedEdges } from '../../core/network-policy/observed-edges.js';
import { planNetworkPolicies, selectPolicies, wholeMap } from '../../core/network-policy/plan-policies.js';
import { diffPolicies, renderPoliciesDiff } from '../../core/network-policy/policy-diff.js';
import { readIntentsDir } from '../read-intents-dir.js';
import { readDriftReport } from '../read-drift-report.js';
import { observedFromDrift } from '../../core/drift-view.js';
import { readPoliciesDir } from '../read-policies-dir.js';
import { readPolicyFacts } from '../read-policy-facts.js';
import { loadUserKubeConfig } from '../user-kube-config.js';
import { readSelection } from '../read-intents.js';
import type { Streams } from '../write-export.js';

/** Exit code 1 when observed and declared differ, as diff(1) and kubectl diff do. */
export async function runDiff(command: DiffCommand, streams: Streams): Promise<number> {
  if (command.networkpolicy) return runPolicyDiff(command, streams);
  // The directory first: a bad --against is reported before any request is made.
  const fromDir = command.against === undefined ? undefined : readIntentsDir(command.against, streams);
  const { selected: objects, labelled } = await readSelection(command.selection, command.cluster, streams);
  const declared: DeclaredIntents[] | undefined = fromDir?.flatMap((d) =>
    selectIntents([d.object], command.selection, labelled).map((object) => ({ object, source: d.source })),
  );
  // The map of clients whose ClientIntents is declared: the operator's drift report, when it keeps one.
  const drift = await readDriftReport(command.cluster, command.installNamespace, streams);
  const diff = clusterDiff(drift ? [...objects, ...observedFromDrift(objects, drift)] : objects, declared);
  streams.stdout(command.output === 'json' ? renderDiffJson(diff) : renderDiff(diff));
  return diff.differ ? 1 : exitCodes.ok;
}


/** `diff --networkpolicy --against DIR`: the committed export against a fresh one (with egress when DIR has egress policies). */
async function runPolicyDiff(command: DiffCommand, streams: Streams): Promise<number> {
  const namespaces = new Set(command.selection.namespaces);
  const committed = readPoliciesDir(command.against!, streams).filter((p) => namespaces.size === 0 || namespaces.has(p.namespace));
  // The whole map: an ingress policy made from some of its clients would lack the others.
  const { selected } = await readSelection(wholeMap, command.cluster, streams);
  const edges = observedEdges(selected);
  const facts = await readPolicyFacts(loadUserKubeConfig(command.cluster), edges, command.cluster.requestTimeoutSeconds);
  const planned = planNetworkPolicies(edges, facts, { egress: committed.some((p) => p.direction === 'Egress') }).policies;
  const diff = diffPolicies(selectPolicies(planned, command.selection), committed);
  streams.stdout(command.output === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderPoliciesDiff(diff));
  return diff.differ ? 1 : exitCodes.ok;
}
