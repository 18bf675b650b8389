import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const sourceDir = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'support', 'local-cluster');
/** The shell script that builds a container's mounts (it is run, not compiled). */
export const containerLauncher = join(sourceDir, 'container-launcher.sh');

export function netmapCache(): string {
  return process.env.NETMAP_CACHE ?? join(homedir(), '.cache', 'network-mapper');
}

/** container-exec.c compiled once per content hash into the cache (gcc, as the set-up already needs for `cap`). */
export function containerExecHelper(): string {
  const source = join(sourceDir, 'container-exec.c');
  const text = readFileSync(source);
  const binary = join(netmapCache(), `container-exec-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(netmapCache(), { recursive: true });
  const temporary = `${binary}.tmp-${process.pid}`;
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', temporary, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(temporary, binary);
  return binary;
}
