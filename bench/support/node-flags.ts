import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** image/node-flags, the one place the components' Node flags live (the image's entrypoint reads it too). */
export const nodeFlagsPath = join(import.meta.dirname, '..', '..', '..', 'image', 'node-flags');

/** The Node flags `component` runs with in the image, as the entrypoint passes them to node. */
export function componentNodeFlags(component: 'sniffer' | 'operator'): string[] {
  const line = readFileSync(nodeFlagsPath, 'utf8').split('\n').find((l) => l.startsWith(`${component}:`));
  if (line === undefined) throw new Error(`no "${component}:" line in ${nodeFlagsPath}`);
  return line.slice(component.length + 1).split(/\s+/).filter((flag) => flag !== '');
}
