import { errorFields } from '../../shared/error-fields.js';
import { parseCommand, type Command } from '../core/command.js';
import { CliError, exitCodes } from '../core/exit-codes.js';
import { helpText } from '../core/help-text.js';
import type { Streams } from './write-export.js';

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

/**
 * Dispatches to the command; each returns its exit code. Each command's modules are loaded when
 * it runs, not before: `--help` and `version` load none, `list` no YAML writer, none of the
 * read-only commands Graphviz, hono or client-node (BENCHMARKS.md, "CLI start-up").
 */
async function execute(command: Command, streams: Streams, version: string): Promise<number> {
  switch (command.kind) {
    case 'help':
      streams.stdout(helpText(command.topic));
      return exitCodes.ok;
    case 'version':
      streams.stdout(`kubectl-netmap ${version}\n`);
      return exitCodes.ok;
    case 'list': {
      const { readSelected } = await import('./read-intents.js');
      const objects = await readSelected(command.selection, command.cluster, streams);
      if (command.readiness) {
        const { runListReadiness } = await import('./commands/list-readiness.js');
        await runListReadiness(command.cluster, command.selection, command.readiness, objects, streams);
      } else {
        const { renderList } = await import('../core/list-format.js');
        streams.stdout(renderList(objects));
      }
      return exitCodes.ok;
    }
    case 'export': {
      const [{ exportObjects }, { readSelected }, { writeExport }] = await Promise.all([
        import('../core/export-objects.js'),
        import('./read-intents.js'),
        import('./write-export.js'),
      ]);
      if (command.format === 'networkpolicy') {
        const [{ runExportPolicies }, { wholeMap }] = await Promise.all([import('./commands/export-policies.js'), import('../core/network-policy/plan-policies.js')]);
        await runExportPolicies(command, await readSelected(wholeMap, command.cluster, streams), streams);
        return exitCodes.ok;
      }
      if (command.onlyUndeclared) {
        const { runExportUndeclared } = await import('./commands/export-undeclared.js');
        await runExportUndeclared(command, command.onlyUndeclared.installNamespace, streams);
        return exitCodes.ok;
      }
      const objects = await readSelected(command.selection, command.cluster, streams);
      const { objects: exported, warnings } = exportObjects(objects, command.apiVersion);
      for (const warning of warnings) streams.stderr(`warning: ${warning}\n`);
      writeExport(exported, command.format, command.output, streams);
      return exitCodes.ok;
    }
    case 'visualize': {
      const [{ runVisualize }, { readSelected }] = await Promise.all([import('./commands/visualize.js'), import('./read-intents.js')]);
      await runVisualize(command, await readSelected(command.selection, command.cluster, streams), streams);
      return exitCodes.ok;
    }
    case 'diff':
      return (await import('./commands/diff.js')).runDiff(command, streams);
    case 'reset':
      return (await import('./commands/reset.js')).runReset(command, streams);
    case 'status':
      return (await import('./commands/status.js')).runStatus(command, streams);
    case 'serve':
      return (await import('./commands/serve.js')).runServe(command, streams);
  }
}
