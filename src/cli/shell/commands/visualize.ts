import { writeFileSync } from 'node:fs';
import type { VisualizeCommand } from '../../core/commands/visualize.js';
import { renderDot } from '../../core/dot-format.js';
import { buildGraph } from '../../core/map-graph.js';
import { renderMermaid } from '../../core/mermaid-format.js';
import type { IntentsObject } from '../../core/intents-object.js';
import { dotToSvg, svgToPng } from '../render-graph.js';
import { attempt, type Streams } from '../write-export.js';

/** The picture of the selected ClientIntents in the asked format, as bytes or text. */
export async function renderVisualization(objects: readonly IntentsObject[], format: VisualizeCommand['format']): Promise<string | Buffer> {
  const graph = buildGraph(objects);
  if (format === 'mermaid') return renderMermaid(graph);
  const dot = renderDot(graph);
  if (format === 'dot') return dot;
  const svg = await dotToSvg(dot);
  return format === 'svg' ? svg : await svgToPng(svg);
}

export async function runVisualize(command: VisualizeCommand, objects: readonly IntentsObject[], streams: Streams): Promise<void> {
  const picture = await renderVisualization(objects, command.format);
  if (command.outputPath === undefined) {
    streams.stdout(picture);
    return;
  }
  const path = command.outputPath;
  attempt(`write ${path}`, () => writeFileSync(path, picture));
  streams.stderr(`wrote the map of ${objects.length} ClientIntents to ${command.outputPath} (${command.format})\n`);
}
