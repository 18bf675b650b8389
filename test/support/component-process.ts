import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The JSON log lines a component writes to stderr, as they arrive (anything else kept as `unparsed`). */
export function collectJsonLogs(child: ChildProcess): Record<string, unknown>[] {
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ unparsed: line });
    }
  });
  return logs;
}

/** SIGTERM, as the kubelet sends it; resolves to the exit code. */
export function terminate(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}
