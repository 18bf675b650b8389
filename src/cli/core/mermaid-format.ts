import { nodesByGroup, type GraphNode, type MapGraph } from './map-graph.js';

/** Mermaid node shapes per kind, matching the DOT picture: `[...]` box, `([...])` stadium, ... */
const shape: Record<GraphNode['kind'], [string, string]> = {
  workload: ['[', ']'],
  service: ['([', '])'],
  apiServer: ['[[', ']]'],
  internet: ['>', ']'],
};

/**
 * The map as a Mermaid flowchart (GitHub and GitLab render it in Markdown). Mermaid ids allow
 * few characters, so nodes get positional ids (n0, n1, ...) in the graph's sorted order.
 */
export function renderMermaid(graph: MapGraph): string {
  const ids = new Map(graph.nodes.map((node, i) => [node.id, `n${i}`]));
  const lines = ['flowchart LR'];
  let group = 0;
  for (const [name, nodes] of nodesByGroup(graph)) {
    const indent = name === undefined ? '  ' : '    ';
    if (name !== undefined) lines.push(`  subgraph g${group++}["${text(name)}"]`);
    for (const node of nodes) {
      const [open, close] = shape[node.kind];
      lines.push(`${indent}${ids.get(node.id)!}${open}"${text(node.label)}"${close}`);
    }
    if (name !== undefined) lines.push('  end');
  }
  for (const edge of graph.edges) {
    const arrow = edge.label ? ` -->|"${text(edge.label)}"| ` : ' --> ';
    lines.push(`  ${ids.get(edge.from)!}${arrow}${ids.get(edge.to)!}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Mermaid strings cannot hold a raw double quote; its entity form is #quot;. */
function text(value: string): string {
  return value.replace(/"/g, '#quot;');
}
