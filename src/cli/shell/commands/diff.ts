import type { DiffCommand } from '../../core/commands/diff.js';
import { exitCodes } from '../../core/exit-codes.js';
import { clusterDiff, renderDiff, renderDiffJson, type DeclaredIntents } from '../../core/intents-diff.js';
import { selectIntents } from '../../core/selection.js';
import { readIntentsDir } from '../read-intents-dir.js';
import { readSelection } from '../read-intents.js';
import type { Streams } from '../write-export.js';

/** Exit code 1 when observed and declared differ, as diff(1) and kubectl diff do. */
export async function runDiff(command: DiffCommand, streams: Streams): Promise<number> {
  // The directory first: a bad --against is reported before any request is made.
  const fromDir = command.against === undefined ? undefined : readIntentsDir(command.against, streams);
  const { selected: objects, labelled } = await readSelection(command.selection, command.cluster, streams);
  const declared: DeclaredIntents[] | undefined = fromDir?.flatMap((d) =>
    selectIntents([d.object], command.selection, labelled).map((object) => ({ object, source: d.source })),
  );
  const diff = clusterDiff(objects, declared);
  streams.stdout(command.output === 'json' ? renderDiffJson(diff) : renderDiff(diff));
  return diff.differ ? 1 : exitCodes.ok;
}

