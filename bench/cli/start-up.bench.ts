import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { controlPlaneBinary, startControlPlane } from '../../test/support/control-plane.js';
import { installCrds } from '../../test/support/crds.js';

/**
 * Wall time of each `kubectl netmap` command against `kubectl get clientintents -A -o json` (the
 * control plane's built-in kubectl, test/controlplane/kubectl.go) and `node -e 0`, in one run,
 * on one control plane holding NAMESPACES x PER_NAMESPACE managed ClientIntents. Rounds are
 * interleaved (every command once per round), so a change in the machine's load hits all alike.
 * Targets (issue 21): `--version` and `--help` at most 3x `node -e 0`; `list`, `export` and
 * `status` at most 2x kubectl's get.
 * Run: node dist/bench/cli/start-up.bench.js (ROUNDS=15 by default). BEFORE_CLI=<another build's
 * dist/src/cli/main.js> adds that build's rows, measured in the same rounds.
 */
const rounds = Number(process.env.ROUNDS ?? 15);
const namespaces = Number(process.env.NAMESPACES ?? 3);
const perNamespace = Number(process.env.PER_NAMESPACE ?? 20);
const root = join(import.meta.dirname, '..', '..', '..');
const cliMain = join(root, 'dist', 'src', 'cli', 'main.js');
const launcher = join(root, 'bin', 'kubectl-netmap');
const node = process.execPath;
const beforeCli = process.env.BEFORE_CLI;

interface Case {
  label: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Exit codes that are not a failure (status reports problems with 1 on a bare control plane). */
  okCodes?: number[];
}

const controlPlane = await startControlPlane();
const cacheDir = mkdtempSync(join(tmpdir(), 'netmap-compile-cache-'));
try {
  const admin = controlPlane.admin();
  await installCrds(admin);
  const core = admin.makeApiClient(CoreV1Api);
  const custom = admin.makeApiClient(CustomObjectsApi);
  for (let n = 0; n < namespaces; n++) {
    const namespace = `bench-cli-${n}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (let i = 0; i < perNamespace; i++) {
      await custom.createNamespacedCustomObject({
        group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents', namespace,
        body: {
          apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents',
          metadata: { name: `client-${i}`, namespace, labels: { 'app.kubernetes.io/managed-by': 'network-mapper' } },
          spec: { workload: { name: `client-${i}`, kind: 'Deployment' }, targets: [{ kubernetes: { name: `server-${i % 5}`, kind: 'Deployment' } }, { service: { name: 'kubernetes.default' } }] },
        },
      });
    }
  }

  // The compile cache main.ts enables, in a directory of this run's own.
  const kubeEnv = { KUBECONFIG: controlPlane.kubeconfigPath, NODE_COMPILE_CACHE: cacheDir };
  const cli = (label: string, args: string[], extra: Partial<Case> = {}): Case => ({ label, command: node, args: [cliMain, ...args], env: kubeEnv, ...extra });
  const cases: Case[] = [
    { label: 'node -e 0', command: node, args: ['-e', '0'] },
    { label: 'kubectl get clientintents -A -o json', command: controlPlaneBinary(), args: ['kubectl', 'get', 'clientintents', '-A', '-o', 'json'], env: kubeEnv },
    cli('kubectl-netmap --version', ['--version']),
    cli('kubectl-netmap --version, compile cache off', ['--version'], { env: { ...kubeEnv, NODE_DISABLE_COMPILE_CACHE: '1' } }),
    cli('kubectl-netmap --help', ['--help']),
    cli('kubectl-netmap list', ['list']),
    cli('kubectl-netmap export', ['export']),
    cli('kubectl-netmap diff', ['diff'], { okCodes: [0, 1] }),
    cli('kubectl-netmap status', ['status'], { okCodes: [0, 1] }),
    cli('kubectl-netmap list, compile cache off (NODE_DISABLE_COMPILE_CACHE=1)', ['list'], { env: { ...kubeEnv, NODE_DISABLE_COMPILE_CACHE: '1' } }),
    { label: 'bin/kubectl-netmap list (the launcher)', command: launcher, args: ['list'], env: kubeEnv },
    {
      label: 'kubectl netmap list (kubectl plugin)',
      command: controlPlaneBinary(),
      args: ['kubectl', 'netmap', 'list'],
      env: { ...kubeEnv, PATH: `${join(root, 'bin')}:${process.env.PATH ?? ''}` },
    },
  ];
  if (beforeCli) {
    for (const args of [['--version'], ['--help'], ['list'], ['export'], ['status']]) {
      cases.push({ label: `before: kubectl-netmap ${args.join(' ')}`, command: node, args: [beforeCli, ...args], env: kubeEnv, okCodes: [0, 1] });
    }
  }

  const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  for (let round = 0; round < rounds + 1; round++) {
    for (const c of cases) {
      const start = performance.now();
      const result = spawnSync(c.command, c.args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...c.env }, encoding: 'utf8', maxBuffer: 64 << 20 });
      const ms = performance.now() - start;
      if (!(c.okCodes ?? [0]).includes(result.status ?? -1)) throw new Error(`${c.label}: exit ${result.status}: ${result.stderr || String(result.error)}`);
      // Round 0 warms the page cache (and the compile cache): not counted.
      if (round > 0) times.get(c.label)!.push(ms);
    }
  }

  const median = (label: string): number => {
    const sorted = [...times.get(label)!].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const nodeMs = median('node -e 0');
  const kubectlMs = median('kubectl get clientintents -A -o json');
  const targets: Record<string, { against: 'node' | 'kubectl'; max: number }> = {
    'kubectl-netmap --version': { against: 'node', max: 3 },
    'kubectl-netmap --help': { against: 'node', max: 3 },
    'kubectl-netmap list': { against: 'kubectl', max: 2 },
    'kubectl-netmap export': { against: 'kubectl', max: 2 },
    'kubectl-netmap status': { against: 'kubectl', max: 2 },
  };
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  console.log(`CLI start-up, ${rounds} interleaved rounds, ${namespaces * perNamespace} ClientIntents, load average ${load} at the end`);
  console.log('| command | median ms | min ms | / node -e 0 | / kubectl get | target | met |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of cases) {
    const m = median(c.label);
    const min = Math.min(...times.get(c.label)!);
    const target = targets[c.label];
    const ratio = target ? m / (target.against === 'node' ? nodeMs : kubectlMs) : undefined;
    const met = target && ratio !== undefined ? (ratio <= target.max ? 'yes' : 'no') : '';
    const goal = target ? `<= ${target.max}x ${target.against === 'node' ? 'node -e 0' : 'kubectl get'}` : '';
    console.log(`| ${c.label} | ${m.toFixed(0)} | ${min.toFixed(0)} | ${(m / nodeMs).toFixed(2)} | ${(m / kubectlMs).toFixed(2)} | ${goal} | ${met} |`);
  }
} finally {
  await controlPlane.stop();
  rmSync(cacheDir, { recursive: true, force: true });
}
