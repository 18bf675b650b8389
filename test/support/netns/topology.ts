import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a command; its stderr is part of the error so a failed `ip` call explains itself. */
export async function sh(command: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(command, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

/** Deletes every namespace whose name starts with the prefix (leftovers of a crashed run). */
export async function deleteNamespaces(prefix: string): Promise<string[]> {
  const listed = await sh('ip', 'netns', 'list');
  const names = listed.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix));
  for (const name of names) await sh('ip', 'netns', 'delete', name).catch(() => undefined);
  return names;
}

export function uniqueSuffix(): string {
  return randomBytes(2).toString('hex');
}

/** A long-running process inside a namespace, with its output split into lines. */
export class NetnsProcess {
  readonly lines: string[] = [];
  private readonly waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(readonly child: ChildProcess) {
    let partial = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.addLine(line);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  private addLine(line: string): void {
    this.lines.push(line);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter?.test(line)) {
        this.waiters.splice(i, 1);
        waiter.resolve(line);
      }
    }
  }

  /** Resolves with the first line (already seen or coming) that passes the test. */
  waitForLine(test: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no matching line within ${timeoutMs} ms; stdout: ${this.lines.slice(-5).join(' | ')}; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.push({ test, resolve: (line) => { clearTimeout(timer); resolve(line); } });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Network namespaces created for one test run, all named `<prefix><suffix>-<name>`, removed
 * with everything in them (interfaces, addresses, iptables rules) by destroy().
 */
export class Topology {
  private readonly namespaces: string[] = [];
  private readonly processes: NetnsProcess[] = [];

  constructor(readonly prefix: string, readonly suffix = uniqueSuffix()) {}

  ns(name: string): string {
    return `${this.prefix}${this.suffix}-${name}`;
  }

  /**
   * With `parent`, the namespace is created from inside that one (so it inherits the parent's
   * per-namespace settings such as net.ipv4.tcp_child_ehash_entries) without touching the host's.
   */
  async addNamespace(name: string, parent?: string): Promise<string> {
    const full = this.ns(name);
    if (parent) await sh('nsenter', `--net=/run/netns/${this.ns(parent)}`, 'ip', 'netns', 'add', full);
    else await sh('ip', 'netns', 'add', full);
    this.namespaces.push(full);
    await sh('ip', '-n', full, 'link', 'set', 'lo', 'up');
    return full;
  }

  async exec(name: string, command: string, ...args: string[]): Promise<string> {
    return sh('ip', 'netns', 'exec', this.ns(name), command, ...args);
  }

  /** Starts `node <script> ...args` inside the namespace. */
  spawnNode(name: string, script: string, ...args: string[]): NetnsProcess {
    const child = spawn('ip', ['netns', 'exec', this.ns(name), process.execPath, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle = new NetnsProcess(child);
    this.processes.push(handle);
    return handle;
  }

  async addBridge(node: string, bridge: string, addresses: string[]): Promise<void> {
    const ns = this.ns(node);
    await sh('ip', '-n', ns, 'link', 'add', bridge, 'type', 'bridge');
    for (const address of addresses) await sh('ip', '-n', ns, 'addr', 'add', address, 'dev', bridge, ...(address.includes(':') ? ['nodad'] : []));
    await sh('ip', '-n', ns, 'link', 'set', bridge, 'up');
  }

  /**
   * A "pod": its own namespace whose eth0 is one end of a veth pair; the other end is a port of
   * the bridge in the node namespace. The bridge addresses are the pod's default gateways.
   */
  async addPod(name: string, node: string, bridge: string, addresses: string[], gateways: string[]): Promise<string> {
    const ns = await this.addNamespace(name);
    const nodeNs = this.ns(node);
    const hostSide = `v${name}`.slice(0, 15);
    await sh('ip', '-n', nodeNs, 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await sh('ip', '-n', nodeNs, 'link', 'set', hostSide, 'master', bridge, 'up');
    for (const address of addresses) await sh('ip', '-n', ns, 'addr', 'add', address, 'dev', 'eth0', ...(address.includes(':') ? ['nodad'] : []));
    await sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
    for (const gateway of gateways) await sh('ip', '-n', ns, ...(gateway.includes(':') ? ['-6'] : []), 'route', 'add', 'default', 'via', gateway);
    return ns;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop().catch(() => undefined)));
    for (const ns of this.namespaces.reverse()) await sh('ip', 'netns', 'delete', ns).catch(() => undefined);
    this.namespaces.length = 0;
  }
}
