import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Topology } from '../../../test/support/netns/topology.js';
import type { MemorySample } from './memory-samples.js';
import { componentNodeFlags } from '../../support/node-flags.js';

/*
 * What the benchmarks of the whole sniffer process share: the node flags and environment the
 * DaemonSet runs it with, and readings of a running process (/proc/<pid>/status and stat, its
 * /metrics from inside the node's namespace).
 */
const root = join(import.meta.dirname, '..', '..', '..', '..');
const manifestPath = join(root, 'config', 'sniffer', 'sniffer-daemonset.yaml');
export const snifferMain = join(root, 'dist', 'src', 'sniffer', 'main.js');

/**
 * The sniffer's node flags (image/node-flags, as the image's entrypoint starts it) and the
 * DaemonSet container's literal environment, from the committed manifest.
 */
export function deployed(): { flags: string[]; env: Record<string, string> } {
  const docs = parseAllDocuments(readFileSync(manifestPath, 'utf8')).map((d) => d.toJS() as { kind?: string; spec?: unknown });
  const daemonSet = docs.find((d) => d.kind === 'DaemonSet') as { spec: { template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] } } } } | undefined;
  const container = daemonSet?.spec.template.spec.containers[0];
  if (!container) throw new Error(`no DaemonSet container in ${manifestPath}`);
  if (container.args.join(' ') !== 'sniffer') throw new Error(`unexpected args in ${manifestPath}: ${container.args.join(' ')}`);
  const env = Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
  return { flags: componentNodeFlags('sniffer'), env };
}

/** VmRSS, RssAnon, RssFile, RssShmem of a process in bytes; undefined once it has exited. */
export function readStatus(pid: number): MemorySample | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/** utime + stime of every thread of a process so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** GET of a URL from inside a namespace of the topology: the body, or '' when it did not answer. */
export async function fetchInNamespace(topology: Topology, namespace: string, url: string): Promise<{ status: number; body: string }> {
  const out = await topology.exec(namespace, process.execPath, '-e', `
    fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) })
      .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
      .catch(() => process.stdout.write(JSON.stringify({ status: 0, body: '' })));`);
  return JSON.parse(out) as { status: number; body: string };
}

/** A Prometheus text exposition summed by metric name (and kept per labelled series too). */
export function parseMetrics(body: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const name = line.slice(0, line.search(/[{ ]/));
    const labels = line.includes('{') ? line.slice(line.indexOf('{'), line.indexOf('}') + 1) : '';
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    sums.set(name, (sums.get(name) ?? 0) + value);
    if (labels) sums.set(name + labels, value);
  }
  return sums;
}
