import type { ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/shared/logger.js';

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

/*
 * Where the local cluster's components log. Tests leave it alone: every component writes to
 * this process's stderr, as before. The main command calls routeComponentLogs once, first: each
 * component then writes to <dir>/<name>.log, and with `verbose` to stderr as well. A component
 * takes part by logging through componentLogger (in-process helpers, e.g. kube-proxy rules) or
 * by being spawned with componentStdio (a binary: a kubelet, containerd, ...).
 */
interface LogRouting {
  readonly dir: string;
  readonly verbose: boolean;
}
let routing: LogRouting | undefined;
const files = new Map<string, WriteStream>();

/** From now on, component logs go to files in `dir` (created; also to stderr with `verbose`). */
export function routeComponentLogs(options: LogRouting): void {
  mkdirSync(options.dir, { recursive: true });
  routing = options;
}

/** The directory the component logs go to, if routed. */
export function componentLogDir(): string | undefined {
  return routing?.dir;
}

/** The file a component's log goes to, if routed: <dir>/<name>.log. */
export function componentLogPath(name: string): string | undefined {
  return routing ? join(routing.dir, `${name}.log`) : undefined;
}

/**
 * A stream for a component's log lines. Where they go is decided at each write, so that a logger
 * created when its module loads (before the main command routes the logs) still follows.
 */
export function componentLogStream(name: string): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const path = componentLogPath(name);
      if (path === undefined || routing?.verbose) process.stderr.write(chunk);
      if (path === undefined) return done();
      let file = files.get(path);
      if (!file) {
        file = createWriteStream(path, { flags: 'a' });
        files.set(path, file);
      }
      file.write(chunk, () => done());
    },
  });
}

/** The JSON logger (src/shared/logger.ts) of an in-process component, writing where componentLogStream says. */
export function componentLogger(name: string, level?: string): Logger {
  return createLogger(name, level, componentLogStream(name));
}

/**
 * How to spawn a component so that its stdout and stderr go where componentLogStream says:
 * pass `stdio` to spawn, then `attach(child)`. Routed and not verbose, the child writes to its
 * file itself (it keeps logging while this process is busy); otherwise its output is copied.
 */
export function componentStdio(name: string): { stdio: StdioOptions; attach(child: ChildProcess): void } {
  const path = componentLogPath(name);
  if (path !== undefined && !routing?.verbose) {
    const fd = openSync(path, 'a');
    return { stdio: ['ignore', fd, fd], attach: () => closeSync(fd) };
  }
  return {
    stdio: ['ignore', 'pipe', 'pipe'],
    attach(child) {
      const out = componentLogStream(name);
      child.stdout?.pipe(out, { end: false });
      child.stderr?.pipe(out, { end: false });
    },
  };
}
