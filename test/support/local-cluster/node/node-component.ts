import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { NodeLayout } from './node-layout.js';

/** One of the node's daemons (containerd, the kubelet, kube-proxy), a process in the node's network namespace. */
export interface NodeComponent {
  readonly name: string;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `binary args` in the node's network namespace (nsenter: the host's mount namespace
 * stays, so containerd sees the kubelet's volume mounts), its output appended to `logFile`. The
 * kernel kills it when this process dies (setpriv --pdeathsig), so a crashed test leaves no
 * daemon behind; the next start removes the rest.
 */
export function startNodeComponent(layout: NodeLayout, name: string, logFile: string, binary: string, args: readonly string[]): NodeComponent {
  const log = openSync(logFile, 'a');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'nsenter', `--net=/run/netns/${layout.netns}`, '--', binary, ...args], { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
