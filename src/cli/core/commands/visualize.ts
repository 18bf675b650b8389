import type { ParseArgsConfig } from 'node:util';
import { clusterFlags, help, oneOf, parseCluster, parseSelection, selectionFlags, UsageError, type ClusterOptions } from '../flags.js';
import type { Selection } from '../selection.js';

export const visualizeFormats = ['dot', 'svg', 'png', 'mermaid'] as const;
export type VisualizeFormat = (typeof visualizeFormats)[number];

export interface VisualizeCommand {
  readonly kind: 'visualize';
  readonly selection: Selection;
  readonly cluster: ClusterOptions;
  readonly format: VisualizeFormat;
  /** Undefined: stdout. */
  readonly outputPath?: string;
}

export const visualizeFlags = {
  ...clusterFlags,
  ...selectionFlags,
  ...help,
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies ParseArgsConfig['options'];

/** `-o map.png` alone picks PNG: the file name says what the user wants. */
export function buildVisualize(values: Record<string, unknown>): VisualizeCommand {
  const outputPath = values.output as string | undefined;
  if (outputPath === '') throw new UsageError('-o/--output needs a path');
  const fromName = visualizeFormats.find((f) => outputPath?.toLowerCase().endsWith(`.${f === 'mermaid' ? 'mmd' : f}`));
  const format = oneOf('--format', values.format, visualizeFormats, fromName ?? 'svg');
  return { kind: 'visualize', selection: parseSelection(values), cluster: parseCluster(values), format, ...(outputPath === undefined ? {} : { outputPath }) };
}

export const visualizeHelp = (program: string, selectionHelp: string, clusterHelp: string): string => `Draw the map as a graph: one node per workload (name.namespace), grouped by namespace, with
edges to Services, the Kubernetes API server and internet names. Rendered in-process (Graphviz
compiled to WebAssembly): no Graphviz installation needed.

Usage:
  ${program} visualize [flags]

Visualize flags:
      --format FORMAT           svg (default), png, dot (Graphviz source) or mermaid (for Markdown);
                                with -o, the file's extension picks it (.svg .png .dot .mmd)
  -o, --output FILE             write to FILE instead of stdout

${selectionHelp}

${clusterHelp}
`;
