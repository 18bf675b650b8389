import type { ClusterOptions } from '../core/command.js';
import { readIntentsObject, type IntentsObject } from '../core/intents-object.js';
import { noneFoundHint } from '../core/none-found-hint.js';
import { selectIntents, type Selection } from '../core/selection.js';
import { labelledClients } from './labelled-clients.js';
import { listClientIntents } from './list-client-intents.js';
import { loadUserKubeConfig } from './user-kube-config.js';
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
  const kc = loadUserKubeConfig(cluster);
  const items = await listClientIntents(kc, selection, cluster.requestTimeoutSeconds);
  const objects: IntentsObject[] = [];
  for (const item of items) {
    const read = readIntentsObject(item);
    if (read.ok) objects.push(read.object);
    else streams.stderr(`warning: skipped a malformed ClientIntents: ${read.reason}\n`);
  }
  const labelled = await labelledClients(kc, selection, cluster.requestTimeoutSeconds);
  return { selected: selectIntents(objects, selection, labelled), labelled };
}
