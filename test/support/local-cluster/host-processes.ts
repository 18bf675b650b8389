import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';

/**
 * Processes the local cluster starts on the host (sniffer, operator). Their pids are recorded
 * in a file, so the next run can stop those a crashed run left behind; a pid is only killed if
 * its command line still names the same script (pids are reused).
 */
export class HostProcesses {
  private readonly children: ChildProcess[] = [];

  constructor(private readonly pidFile: string) {}

  killLeftovers(): number[] {
    if (!existsSync(this.pidFile)) return [];
    const killed: number[] = [];
    for (const line of readFileSync(this.pidFile, 'utf8').split('\n').filter(Boolean)) {
      const [pid, script] = line.split(' ', 2);
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (script && cmdline.includes(script)) {
          process.kill(Number(pid), 'SIGKILL');
          killed.push(Number(pid));
        }
      } catch {
        // gone already
      }
    }
    rmSync(this.pidFile, { force: true });
    return killed;
  }

  start(script: string, env: Record<string, string>, logFile: string): ChildProcess {
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    appendFileSync(this.pidFile, `${child.pid} ${script}\n`);
    this.children.push(child);
    return child;
  }

  pids(): number[] {
    return this.children.flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
  }

  /** SIGTERM (the sniffer flushes its last window), SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(this.children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }));
    rmSync(this.pidFile, { force: true });
  }
}
