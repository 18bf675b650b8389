import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../../core/command.js';
import { directoryLayout, kustomizationFile } from '../../core/directory-layout.js';
import { undeclaredExport } from '../../core/drift-view.js';
import { CliError, exitCodes } from '../../core/exit-codes.js';
import { exportObjects } from '../../core/export-objects.js';
import { mergedKustomization } from '../../core/kustomization-merge.js';
import { readDriftReport } from '../read-drift-report.js';
import { readSelected } from '../read-intents.js';
import { attempt, writeExport, type Streams } from '../write-export.js';

type ExportCommand = Extract<Command, { kind: 'export' }>;

/**
 * `export --only-undeclared`: the files to commit next (docs/gitops.md). Into a directory, each
 * file has the name a full directory export gives it, so it replaces the committed one, and
 * kustomization.yaml keeps what it listed.
 */
export async function runExportUndeclared(command: ExportCommand, installNamespace: string, streams: Streams): Promise<void> {
  if (command.format === 'networkpolicy') throw new CliError(exitCodes.usage, '--only-undeclared exports ClientIntents');
  const objects = await readSelected(command.selection, command.cluster, streams);
  const drift = await readDriftReport(command.cluster, installNamespace, streams);
  if (drift === undefined) streams.stderr(`warning: no drift report in ${installNamespace} (an operator that keeps one runs there?): only clients without declared ClientIntents are exported\n`);
  const { objects: exported, warnings } = exportObjects(undeclaredExport(objects, drift ?? []), command.apiVersion);
  for (const warning of warnings) streams.stderr(`warning: ${warning}\n`);
  if (command.output.type !== 'dir') {
    writeExport(exported, command.format, command.output, streams);
    return;
  }
  const dir = command.output.path;
  const files = directoryLayout(exported, command.format);
  files.delete(kustomizationFile);
  const kustomizationPath = join(dir, kustomizationFile);
  const existing = existsSync(kustomizationPath) ? readFileSync(kustomizationPath, 'utf8') : undefined;
  let kustomization: string;
  try {
    kustomization = mergedKustomization(existing, [...files.keys()]);
  } catch (error) {
    throw new CliError(exitCodes.usage, `${kustomizationPath}: ${(error as Error).message}; nothing written`);
  }
  attempt(`create the directory ${dir}`, () => mkdirSync(dir, { recursive: true }));
  for (const [name, content] of files) attempt(`write ${join(dir, name)}`, () => writeFileSync(join(dir, name), content));
  attempt(`write ${kustomizationPath}`, () => writeFileSync(kustomizationPath, kustomization));
  streams.stderr(`wrote ${exported.length} ClientIntents with undeclared targets to ${dir}/ (kustomization.yaml lists them with what it listed before)\n`);
}
