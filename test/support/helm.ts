import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedTool } from './cached-tool.js';
import { controlPlaneBinary } from './control-plane.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const chartDir = join(repoRoot, 'charts', 'network-mapper');

/** The real helm (test/tools/helm, built from the Go module proxy by scripts/setup.sh), built if missing. */
export function helmBinary(): string {
  return cachedTool('helm', 'NETMAP_HELM_BIN', 'helm');
}

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

// Helm's cache, config and data stay in a directory of this run, away from the user's.
let helmHome: string | undefined;

export function runHelm(args: readonly string[]): CommandResult {
  helmHome ??= mkdtempSync(join(tmpdir(), 'netmap-helm-'));
  const env = { ...process.env, HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_DATA_HOME: join(helmHome, 'data') };
  const result = spawnSync(helmBinary(), args, { env, encoding: 'utf8', maxBuffer: 64 << 20, cwd: repoRoot });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The control plane's built-in kubectl (test/controlplane/kubectl.go), e.g. for `kustomize`. */
export function runKubectl(args: readonly string[], input?: string): CommandResult {
  const result = spawnSync(controlPlaneBinary(), ['kubectl', ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20, cwd: repoRoot });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
