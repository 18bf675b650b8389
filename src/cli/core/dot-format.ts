import { nodesByGroup, type GraphNode, type MapGraph } from './map-graph.js';

/** Graphviz attributes per node kind: workloads as boxes, Services as ellipses, and so on. */
const nodeStyle: Record<GraphNode['kind'], string> = {
  workload: 'shape=box, style="rounded,filled", fillcolor="#dbeafe", color="#1d4ed8"',
  service: 'shape=ellipse, style=filled, fillcolor="#dcfce7", color="#15803d"',
  apiServer: 'shape=box3d, style=filled, fillcolor="#fde68a", color="#b45309"',
  internet: 'shape=note, style=filled, fillcolor="#f3f4f6", color="#4b5563"',
};

/** The map in Graphviz DOT, left to right, one cluster per namespace (and one for the internet). */
export function renderDot(graph: MapGraph): string {
  const lines = [
    'digraph netmap {',
    '  rankdir=LR;',
    '  fontname="DejaVu Sans"; node [fontname="DejaVu Sans", fontsize=11]; edge [fontname="DejaVu Sans", fontsize=9, color="#6b7280"];',
  ];
  for (const [group, nodes] of nodesByGroup(graph)) {
    const indent = group === undefined ? '  ' : '    ';
    if (group !== undefined) lines.push(`  subgraph ${quote(`cluster_${group}`)} {`, `    label=${quote(group)}; style="rounded,dashed"; color="#9ca3af";`);
    for (const node of nodes) lines.push(`${indent}${quote(node.id)} [label=${quote(node.label)}, ${nodeStyle[node.kind]}];`);
    if (group !== undefined) lines.push('  }');
  }
  for (const edge of graph.edges) lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)}${edge.label ? ` [label=${quote(edge.label)}]` : ''};`);
  lines.push('}', '');
  return lines.join('\n');
}

/** A DOT double-quoted string: names come from the cluster, so escape what DOT would read. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
