import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * Resident memory a fresh Node process reaches after importing the libraries the sniffer loads,
 * each set in its own process (after a GC and a short settle), with Node's default heap flags and
 * with --max-semi-space-size=1 (what deploy/sniffer-daemonset.yaml runs). Shows what the issue's
 * idle memory target (under 80 MB) is up against, and what @kubernetes/client-node costs.
 */
const dist = join(import.meta.dirname, '..', '..');
const ours = (path: string): string => pathToFileURL(join(dist, 'src', path)).href;
/* What main.ts imports (the capture modules are placeholders on this branch, so cap and dns-packet are named). */
const snifferModules = [
  ours('sniffer/core/sniffer-config.js'),
  ours('shared/env-config.js'),
  ours('shared/health-server.js'),
  ours('shared/logger.js'),
  ours('shared/kube/kube-client.js'),
  ours('shared/kube/load-kube-client-config.js'),
  ours('sniffer/shell/reporting/start-reporting.js'),
  ours('sniffer/shell/capture/pcap-source.js'),
  ours('sniffer/shell/socket-scan/socket-scanner.js'),
  'cap',
  'dns-packet',
];
const libraries = ['zod', 'winston', 'prom-client', 'yaml', 'dns-packet', 'cap'];
const sets: [string, string[]][] = [
  ['node alone', []],
  ['zod', ['zod']],
  ['winston', ['winston']],
  ['prom-client', ['prom-client']],
  ['yaml', ['yaml']],
  ['@kubernetes/client-node', ['@kubernetes/client-node']],
  ['sniffer libraries without client-node (zod, winston, prom-client, yaml, dns-packet, cap)', libraries],
  ['the same + @kubernetes/client-node (the sniffer before this change)', [...libraries, '@kubernetes/client-node']],
  ["the sniffer's own modules as main.ts imports them (no client-node; yaml only with KUBECONFIG)", snifferModules],
];
const flagSets: [string, string[]][] = [
  ['node defaults', []],
  ['--max-semi-space-size=1', ['--max-semi-space-size=1']],
];

const script = (modules: string[]): string => `
for (const m of ${JSON.stringify(modules)}) await import(m);
await new Promise((r) => setTimeout(r, 500));
globalThis.gc();
process.stdout.write(String(process.memoryUsage().rss));`;

console.log(`node ${process.version}; RSS in MB, median of 3 fresh processes each`);
for (const [label, modules] of sets) {
  const columns = flagSets.map(([flagLabel, flags]) => {
    const samples = [0, 1, 2].map(() =>
      Number(execFileSync(process.execPath, [...flags, '--expose-gc', '--input-type=module', '-e', script(modules)], { cwd: process.cwd(), encoding: 'utf8' })),
    );
    samples.sort((a, b) => a - b);
    return `${flagLabel} ${(samples[1]! / 1e6).toFixed(0)}`;
  });
  console.log(`${label}: ${columns.join(', ')}`);
}
console.log('command: node dist/bench/sniffer-reporting/module-memory.bench.js (from the repository root)');
