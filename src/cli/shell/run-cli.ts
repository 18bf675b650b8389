import { errorFields } from '../../shared/logger.js';
import { parseCommand, type ClusterOptions, type Command } from '../core/command.js';
import { exportObjects } from '../core/export-objects.js';
import { CliError, exitCodes } from '../core/exit-codes.js';
import { helpText } from '../core/help-text.js';
import { noneFoundHint } from '../core/none-found-hint.js';
import { readIntentsObject, type IntentsObject } from '../core/intents-object.js';
import { renderList } from '../core/list-format.js';
import { selectIntents, type Selection } from '../core/selection.js';
import { labelledClients } from './labelled-clients.js';
import { listClientIntents } from './list-client-intents.js';
import { runVisualize } from './commands/visualize.js';
import { loadUserKubeConfig } from './user-kube-config.js';
import { writeExport, type Streams } from './write-export.js';

/** Runs one command line (without node and the script) and returns its exit code. */
export async function runCli(argv: readonly string[], streams: Streams, version: string): Promise<number> {
  const parsed = parseCommand(argv);
  if (!parsed.ok) {
    streams.stderr(`error: ${parsed.error}\nRun 'kubectl netmap ${parsed.topic ? `${parsed.topic} ` : ''}--help' for usage.\n`);
    return exitCodes.usage;
  }
  try {
    await execute(parsed.command, streams, version);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CliError) {
      streams.stderr(`error: ${error.message}\n`);
      return error.exitCode;
    }
    streams.stderr(`error: unexpected: ${errorFields(error).error}\n`);
    return exitCodes.unexpected;
  }
}

async function execute(command: Command, streams: Streams, version: string): Promise<void> {
  switch (command.kind) {
    case 'help':
      streams.stdout(helpText(command.topic));
      return;
    case 'version':
      streams.stdout(`kubectl-netmap ${version}\n`);
      return;
    case 'list': {
      const objects = await readSelected(command.selection, command.cluster, streams);
      streams.stdout(renderList(objects));
      return;
    }
    case 'export': {
      const objects = await readSelected(command.selection, command.cluster, streams);
      const { objects: exported, warnings } = exportObjects(objects, command.apiVersion);
      for (const warning of warnings) streams.stderr(`warning: ${warning}\n`);
      writeExport(exported, command.format, command.output, streams);
      return;
    }
    case 'visualize':
      await runVisualize(command, await readSelected(command.selection, command.cluster, streams), streams);
      return;
  }
}

async function readSelected(selection: Selection, cluster: ClusterOptions, streams: Streams): Promise<IntentsObject[]> {
  const kc = loadUserKubeConfig(cluster);
  const items = await listClientIntents(kc, selection, cluster.requestTimeoutSeconds);
  const objects: IntentsObject[] = [];
  for (const item of items) {
    const read = readIntentsObject(item);
    if (read.ok) objects.push(read.object);
    else streams.stderr(`warning: skipped a malformed ClientIntents: ${read.reason}\n`);
  }
  const selected = selectIntents(objects, selection, await labelledClients(kc, selection, cluster.requestTimeoutSeconds));
  if (selected.length === 0) streams.stderr(`${noneFoundHint(selection)}\n`);
  return selected;
}
