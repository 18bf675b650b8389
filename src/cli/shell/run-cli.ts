import { errorFields } from '../../shared/logger.js';
import { parseCommand, type Command } from '../core/command.js';
import { exportObjects } from '../core/export-objects.js';
import { CliError, exitCodes } from '../core/exit-codes.js';
import { helpText } from '../core/help-text.js';
import { renderList } from '../core/list-format.js';
import { runDiff } from './commands/diff.js';
import { runExportPolicies } from './commands/export-policies.js';
import { wholeMap } from '../core/network-policy/plan-policies.js';
import { runListReadiness } from './commands/list-readiness.js';
import { runReset } from './commands/reset.js';
import { runServe } from './commands/serve.js';
import { runStatus } from './commands/status.js';
import { runVisualize } from './commands/visualize.js';
import { readSelected } from './read-intents.js';
import { writeExport, type Streams } from './write-export.js';

/** Runs one command line (without node and the script) and returns its exit code. */
export async function runCli(argv: readonly string[], streams: Streams, version: string): Promise<number> {
  const parsed = parseCommand(argv);
  if (!parsed.ok) {
    streams.stderr(`error: ${parsed.error}\nRun 'kubectl netmap ${parsed.topic ? `${parsed.topic} ` : ''}--help' for usage.\n`);
    return exitCodes.usage;
  }
  const unexpected = parsed.command.kind === 'diff' || parsed.command.kind === 'status' ? exitCodes.diffUnexpected : exitCodes.unexpected;
  try {
    return await execute(parsed.command, streams, version);
  } catch (error) {
    if (error instanceof CliError) {
      streams.stderr(`error: ${error.message}\n`);
      return error.exitCode === exitCodes.unexpected ? unexpected : error.exitCode;
    }
    streams.stderr(`error: unexpected: ${errorFields(error).error}\n`);
    return unexpected;
  }
}

/** Dispatches to the command; each returns its exit code. */
async function execute(command: Command, streams: Streams, version: string): Promise<number> {
  switch (command.kind) {
    case 'help':
      streams.stdout(helpText(command.topic));
      return exitCodes.ok;
    case 'version':
      streams.stdout(`kubectl-netmap ${version}\n`);
      return exitCodes.ok;
    case 'list': {
      const objects = await readSelected(command.selection, command.cluster, streams);
      if (command.readiness) await runListReadiness(command.cluster, command.selection, command.readiness, objects, streams);
      else streams.stdout(renderList(objects));
      return exitCodes.ok;
    }
    case 'export': {
      if (command.format === 'networkpolicy') {
        await runExportPolicies(command, await readSelected(wholeMap, command.cluster, streams), streams);
        return exitCodes.ok;
      }
      const objects = await readSelected(command.selection, command.cluster, streams);
      const { objects: exported, warnings } = exportObjects(objects, command.apiVersion);
      for (const warning of warnings) streams.stderr(`warning: ${warning}\n`);
      writeExport(exported, command.format, command.output, streams);
      return exitCodes.ok;
    }
    case 'visualize':
      await runVisualize(command, await readSelected(command.selection, command.cluster, streams), streams);
      return exitCodes.ok;
    case 'diff':
      return runDiff(command, streams);
    case 'reset':
      return runReset(command, streams);
    case 'status':
      return runStatus(command, streams);
    case 'serve':
      return runServe(command, streams);
  }
}
