import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const mainJs = join(import.meta.dirname, '..', '..', 'src', 'operator', 'main.js');

/** The operator's real main.js as a child process, with its health port and /proc figures. */
export interface OperatorProcess {
  readonly proc: ChildProcess;
  metricsText(): Promise<string>;
  /** Resident memory now and its high-water mark, MiB. */
  rssMiB(): number;
  hwmMiB(): number;
  /** User + system CPU seconds used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startOperatorProcess(kubeconfigPath: string, env: Record<string, string>): Promise<OperatorProcess> {
  const proc = spawn(process.execPath, [mainJs], {
    env: { ...process.env, KUBECONFIG: kubeconfigPath, HEALTH_PORT: '0', POD_NAME: 'bench', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let port: number | undefined;
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    if (line.includes('"healthPort"')) port = (JSON.parse(line) as { healthPort: number }).healthPort;
    else if (line.includes('"level":"error"') || line.includes('"level":"warn"') || !line.startsWith('{')) process.stderr.write(`${line.slice(0, 400)}\n`);
  });
  await waitUntil('health port', async () => port !== undefined, 30_000);
  await waitUntil('operator ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 120_000);
  const pid = proc.pid!;
  return {
    proc,
    metricsText: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text(),
    rssMiB: () => statusField(pid, 'VmRSS'),
    hwmMiB: () => statusField(pid, 'VmHWM'),
    cpuSeconds: () => {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in clock ticks (100/s).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      proc.kill('SIGKILL');
    },
  };
}

export async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function statusField(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

