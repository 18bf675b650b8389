import { execFileSync } from 'node:child_process';

/*
 * Resident memory a fresh Node process reaches after importing the libraries the sniffer loads,
 * each set in its own process (after a GC and a short settle). Shows what the idle
 * memory target (under 80 MB) is up against, and what @kubernetes/client-node costs.
 */
const sets: [string, string[]][] = [
  ['node alone', []],
  ['zod', ['zod']],
  ['winston', ['winston']],
  ['prom-client', ['prom-client']],
  ['@kubernetes/client-node', ['@kubernetes/client-node']],
  ['sniffer without client-node (zod, winston, prom-client, yaml, dns-packet, cap)', ['zod', 'winston', 'prom-client', 'yaml', 'dns-packet', 'cap']],
  ['sniffer as built (the above + @kubernetes/client-node)', ['zod', 'winston', 'prom-client', 'yaml', 'dns-packet', 'cap', '@kubernetes/client-node']],
];

const script = (modules: string[]): string => `
for (const m of ${JSON.stringify(modules)}) await import(m);
await new Promise((r) => setTimeout(r, 500));
globalThis.gc();
process.stdout.write(String(process.memoryUsage().rss));`;

for (const [label, modules] of sets) {
  const samples = [0, 1, 2].map(() =>
    Number(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script(modules)], { cwd: process.cwd(), encoding: 'utf8' })),
  );
  samples.sort((a, b) => a - b);
  console.log(`${label}: RSS ${(samples[1]! / 1e6).toFixed(0)} MB (median of 3 processes)`);
}
console.log('command: node dist/bench/sniffer-reporting/module-memory.bench.js (from the repository root)');
