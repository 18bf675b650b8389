import type { ClusterOptions } from '../core/command.js';
import { readIntentsObject, type IntentsObject } from '../core/intents-object.js';
import { noneFoundHint } from '../core/none-found-hint.js';
import { selectIntents, type Selection } from '../core/selection.js';
import { listClientIntents } from './list-client-intents.js';
import { connectUserKube } from './user-kube-client.js';
import type { Streams } from './write-export.js';

/** The selected ClientIntents from the cluster; malformed items are skipped with a warning. */
export async function readSelected(selection: Selection, cluster: ClusterOptions, streams: Streams): Promise<IntentsObject[]> {
  const { selected } = await readSelection(selection, cluster, streams);
  if (selected.length === 0) streams.stderr(`${noneFoundHint(selection)}\n`);
  return selected;
}

/** Also the `--exclude-labels` clients (`name.namespace`), to select other ClientIntents the same way. */
export async function readSelection(
  selection: Selection,
  cluster: ClusterOptions,
  streams: Streams,
): Promise<{ selected: IntentsObject[]; labelled: ReadonlySet<string> }> {
  const client = await connectUserKube(cluster);
  const items = await listClientIntents(client, selection, cluster.requestTimeoutSeconds);
  const objects: IntentsObject[] = [];
  for (const item of items) {
    const read = readIntentsObject(item);
    if (read.ok) objects.push(read.object);
    else streams.stderr(`warning: skipped a malformed ClientIntents: ${read.reason}\n`);
  }
  const labelled = await excludedByLabels(selection, cluster);
  return { selected: selectIntents(objects, selection, labelled), labelled };
}

/** client-node (for the owner walk) is loaded only when `--exclude-labels` asks for it. */
async function excludedByLabels(selection: Selection, cluster: ClusterOptions): Promise<Set<string>> {
  if (selection.excludeLabels.length === 0) return new Set();
  const [{ labelledClients }, { loadUserKubeConfig }] = await Promise.all([import('./labelled-clients.js'), import('./user-kube-config.js')]);
  return labelledClients(loadUserKubeConfig(cluster), selection, cluster.requestTimeoutSeconds);
}
