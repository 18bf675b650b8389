import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { exitCodes } from '../../../src/cli/core/exit-codes.js';
import { encodeEvidence, evidenceAnnotation } from '../../../src/operator/core/evidence.js';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';
import { cliInNewNamespace, runCliProcess, type CliRun } from './cli-process.js';

const ns = 'cli-diff';
const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };
const seen = Date.parse('2026-11-26T03:00:00Z');

function intents(name: string, workload: string, targets: unknown[], metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name, namespace: ns, ...metadata }, spec: { workload: { name: workload, kind: 'Deployment' }, targets } };
}

const observed = intents('web', 'web', [{ kubernetes: { name: 'db', kind: 'StatefulSet' } }, { kubernetes: { name: 'cache', kind: 'Deployment' } }], {
  labels: { [managedByLabel]: managedByValue },
  annotations: { [evidenceAnnotation]: encodeEvidence(new Map([['kubernetes:cache#Deployment', { firstSeen: seen, lastSeen: seen + 60_000, captures: new Set(['SYN'] as const) }]])) },
});
const declared = intents('web-intents', 'web', [{ kubernetes: { name: 'db' } }, { kubernetes: { name: 'old-queue' } }]);

describe('kubectl netmap diff against a real API server', function () {
  this.timeout(120_000);
  let admin: KubeConfig;
  let dir: string;
  let cli: (...args: string[]) => Promise<CliRun>;

  before(async () => {
    ({ admin, cli } = await cliInNewNamespace(ns));
    const custom = admin.makeApiClient(CustomObjectsApi);
    for (const body of [observed, declared]) await custom.createNamespacedCustomObject({ ...ci, namespace: ns, body });
    dir = mkdtempSync(join(tmpdir(), 'netmap-diff-'));
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await admin.makeApiClient(CustomObjectsApi).deleteCollectionNamespacedCustomObject({ ...ci, namespace: ns });
  });

  it('exits 1 and prints + for observed-only and - for declared-only targets, with the evidence', async () => {
    const run = await cli('diff', '-n', ns);
    expect(run).to.deep.equal({
      code: 1,
      stdout: [
        `--- declared web in namespace ${ns}: ${ns}/web-intents`,
        `+++ observed web in namespace ${ns}: ${ns}/web`,
        `+ cache in namespace ${ns} (seen 2026-11-26T03:00:00Z .. 2026-11-26T03:01:00Z by SYN): observed, not declared; blocked under enforcement`,
        `- old-queue in namespace ${ns}: declared, not observed; a candidate to remove`,
        '',
      ].join('\n'),
      stderr: '',
    });
    const json = await cli('diff', '-n', ns, '-o', 'json');
    expect(json.code).to.equal(1);
    expect((JSON.parse(json.stdout) as { clients: { missing: { capturedBy: string[] }[] }[] }).clients[0]!.missing[0]!.capturedBy).to.deep.equal(['SYN']);
  });

  it('compares with a directory of ClientIntents (--against), exit 0 when the same', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'apps'), { recursive: true });
    writeFileSync(join(repo, 'kustomization.yaml'), 'resources: [apps/web.yaml]\n');
    writeFileSync(
      join(repo, 'apps', 'web.yaml'),
      `apiVersion: k8s.otterize.com/v2beta1\nkind: ClientIntents\nmetadata: {name: web, namespace: ${ns}}\nspec:\n  workload: {name: web}\n  targets:\n    - kubernetes: {name: db}\n    - kubernetes: {name: cache, kind: Deployment}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n`,
    );
    expect(await cli('diff', '-n', ns, '--against', repo)).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    writeFileSync(join(repo, 'broken.yaml'), 'kind: [');
    const broken = await cli('diff', '-n', ns, '--against', repo);
    expect(broken.code).to.equal(exitCodes.usage);
    expect(broken.stderr).to.match(/^error: --against: .*broken\.yaml is not valid YAML\/JSON: /);
    expect((await cli('diff', '--against', join(dir, 'nope'))).code).to.equal(exitCodes.usage);
  });

  it('exits above 1 on errors, never 1: a bad flag or an unreadable kubeconfig is 2', async () => {
    expect((await cli('diff', '-o', 'yaml')).code).to.equal(exitCodes.usage);
    const missing = await runCliProcess(['diff'], { KUBECONFIG: join(dir, 'missing.kubeconfig') });
    expect(missing.code).to.equal(exitCodes.usage);
  });
});
