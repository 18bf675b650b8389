import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface OtterizeProcessOptions {
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** Its working directory: Otterize's binaries read `./version` and panic without it. */
  readonly workDir: string;
  /** Wraps the command (e.g. a mount namespace set-up); the binary and args follow. */
  readonly wrapper?: readonly string[];
}

/** A free loopback port for a flag such as --health-probe-bind-address. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * One of Otterize's binaries as a child process, its output kept as lines, restartable: the
 * tests take the webhook server down and bring it back.
 */
export class OtterizeProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: OtterizeProcessOptions) {
    mkdirSync(options.workDir, { recursive: true });
    writeFileSync(join(options.workDir, 'version'), 'v3-netmap-test\n');
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    if (this.child) throw new Error(`${this.options.name} is already running`);
    const [command, ...prefix] = [...(this.options.wrapper ?? []), this.options.binary];
    const child = spawn(command!, [...prefix, ...this.options.args], {
      cwd: this.options.workDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => this.lines.push(line));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
    void this.exited.then(() => {
      if (this.child === child) this.child = undefined;
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** The last lines, for a failure message. */
  tail(count = 30): string {
    return this.lines.slice(-count).join('\n');
  }
}
