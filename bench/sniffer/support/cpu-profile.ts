import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * The functions with the most self time in the V8 CPU profiles (`node --cpu-prof`) of a
 * directory, summed over the profiles: `share` of all samples, `(program)` and `(garbage
 * collector)` included as V8 names them.
 */
export function topSelfTime(dir: string, count = 15): { name: string; share: number }[] {
  const byName = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url ? ` ${url.includes('node_modules') ? url.slice(url.indexOf('node_modules') + 13) : basename(url)}:${lineNumber + 1}` : '';
      const name = `${functionName || '(anonymous)'}${where}`;
      byName.set(name, (byName.get(name) ?? 0) + hits);
      total += hits;
    }
  }
  return [...byName].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, hits]) => ({ name, share: total ? hits / total : 0 }));
}
