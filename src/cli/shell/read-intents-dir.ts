import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CliError, exitCodes } from '../core/exit-codes.js';
import type { DeclaredIntents } from '../core/intents-diff.js';
import { readIntentsObject } from '../core/intents-object.js';
import type { Streams } from './write-export.js';

const extensions = /\.(ya?ml|json)$/i;

/** One parsed document item of a file under the directory: where it is, for messages. */
export interface DirItem {
  readonly item: unknown;
  /** `relative/path.yaml#2`: the file and the document's number in it. */
  readonly where: string;
  /** The file, relative to the directory. */
  readonly source: string;
}

/**
 * Every document (and every item of a JSON array) in the YAML and JSON files under `dir`,
 * recursively, in file order; a file that does not parse is an error, since a comparison
 * without it would be wrong.
 */
export function documentsIn(dir: string): DirItem[] {
  let files: string[];
  try {
    files = (readdirSync(dir, { recursive: true, encoding: 'utf8' })).filter((f) => extensions.test(f)).sort();
  } catch (error) {
    throw new CliError(exitCodes.usage, `--against: cannot read the directory ${dir}: ${(error as { code?: string }).code ?? String(error)}`);
  }
  const items: DirItem[] = [];
  for (const file of files) {
    const path = join(dir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'EISDIR') continue;
      throw new CliError(exitCodes.usage, `--against: cannot read ${path}: ${(error as { code?: string }).code ?? String(error)}`);
    }
    const documents = parseAllDocuments(text);
    const docs = Array.isArray(documents) ? documents : [documents];
    for (const [i, doc] of docs.entries()) {
      if (doc.errors.length > 0) throw new CliError(exitCodes.usage, `--against: ${path} is not valid YAML/JSON: ${doc.errors[0]!.message.split('\n', 1)[0]}`);
      const value: unknown = doc.toJS();
      const source = relative(dir, path) || path;
      for (const item of Array.isArray(value) ? value : [value]) items.push({ item, where: `${source}#${i + 1}`, source });
    }
  }
  return items;
}

/**
 * Every ClientIntents (k8s.otterize.com v2) in the YAML and JSON files under `dir`, as a GitOps
 * repository holds them. Other kinds (a kustomization.yaml, Deployments, ...) are passed over.
 */
export function readIntentsDir(dir: string, streams: Streams): DeclaredIntents[] {
  const declared: DeclaredIntents[] = [];
  for (const { item, where, source } of documentsIn(dir)) {
    const { apiVersion, kind } = (item ?? {}) as { apiVersion?: unknown; kind?: unknown };
    if (kind !== 'ClientIntents' || typeof apiVersion !== 'string' || !apiVersion.startsWith('k8s.otterize.com/')) continue;
    if (!/^k8s\.otterize\.com\/v2/.test(apiVersion)) {
      streams.stderr(`warning: ${where}: ${apiVersion} is not compared (only k8s.otterize.com/v2*; export it again with --api-version v2beta1)\n`);
      continue;
    }
    const read = readIntentsObject(item);
    if (read.ok) declared.push({ object: read.object, source });
    else streams.stderr(`warning: ${where}: skipped: ${read.reason} (every ClientIntents needs metadata.namespace to be compared)\n`);
  }
  return declared;
}
