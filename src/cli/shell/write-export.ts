import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Output } from '../core/command.js';
import { directoryLayout } from '../core/directory-layout.js';
import { renderExport } from '../core/export-format.js';
import type { ExportedObject, ExportFormat } from '../core/export-objects.js';
import { CliError, exitCodes } from '../core/exit-codes.js';

export interface Streams {
  /** Bytes for binary formats (visualize --format png). */
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  /** Asks on the terminal and resolves with the answer; absent when stdin is not a terminal. */
  ask?(question: string): Promise<string>;
}

/** Writes the export where -o/--output-type say; a directory export never deletes other files in it. */
export function writeExport(objects: readonly ExportedObject[], format: ExportFormat, output: Output, streams: Streams): void {
  if (output.type === 'stdout') {
    streams.stdout(renderExport(objects, format));
    return;
  }
  if (output.type === 'file') {
    if (isDirectory(output.path)) throw new CliError(exitCodes.usage, `-o ${output.path} is a directory: add --output-type dir to write one file per ClientIntents`);
    attempt(`write ${output.path}`, () => writeFileSync(output.path, renderExport(objects, format)));
    streams.stderr(`wrote ${objects.length} ClientIntents to ${output.path}\n`);
    return;
  }
  const files = directoryLayout(objects, format);
  attempt(`create the directory ${output.path}`, () => mkdirSync(output.path, { recursive: true }));
  for (const [name, content] of files) attempt(`write ${join(output.path, name)}`, () => writeFileSync(join(output.path, name), content));
  streams.stderr(`wrote ${objects.length} ClientIntents to ${output.path}/ with a kustomization.yaml listing them\n`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function attempt(what: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    throw new CliError(exitCodes.unexpected, `cannot ${what}: ${code ?? message ?? String(error)}`);
  }
}
