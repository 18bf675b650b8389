import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { cliInNewNamespace, type CliRun } from './cli-process.js';

const ns = 'cli-selection';
const managed = { 'app.kubernetes.io/managed-by': 'network-mapper' };
const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };

function intents(name: string, targets: Record<string, unknown>[]): Record<string, unknown> {
  return { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name, namespace: ns, labels: managed }, spec: { workload: { name, kind: 'Deployment' }, targets } };
}

const container = { name: 'main', image: 'registry.invalid/none:1' };
const template = (app: string): Record<string, unknown> => ({ metadata: { labels: { app } }, spec: { containers: [container] } });

/** Deployment -> ReplicaSet -> Pod with real owner references, as the controllers would leave them. */
async function deploymentWithPod(kc: KubeConfig, name: string, podLabels: Record<string, string>): Promise<void> {
  const apps = kc.makeApiClient(AppsV1Api);
  const selector = { matchLabels: { app: name } };
  const deployment = await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name }, spec: { selector, template: template(name) } } });
  const rs = await apps.createNamespacedReplicaSet({
    namespace: ns,
    body: {
      metadata: { name: `${name}-5d9c7`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deployment.metadata!.uid!, controller: true }] },
      spec: { selector, template: template(name) },
    },
  });
  await kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name: `${name}-5d9c7-x1`, labels: { app: name, ...podLabels }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata!.name!, uid: rs.metadata!.uid!, controller: true }] },
      spec: { containers: [container] },
    },
  });
}

describe('kubectl netmap --exclude-services and --exclude-labels against a real API server', function () {
  this.timeout(120_000);
  let admin: KubeConfig;
  let cli: (...args: string[]) => Promise<CliRun>;

  before(async () => {
    ({ admin, cli } = await cliInNewNamespace(ns));
    await deploymentWithPod(admin, 'debugger', { purpose: 'debug' });
    await deploymentWithPod(admin, 'web', {});
    const custom = admin.makeApiClient(CustomObjectsApi);
    for (const body of [
      intents('debugger', [{ kubernetes: { name: 'web', kind: 'Deployment' } }]),
      intents('web', [{ kubernetes: { name: 'db', kind: 'StatefulSet' } }, { service: { name: 'kubernetes.default' } }]),
    ]) {
      await custom.createNamespacedCustomObject({ ...ci, namespace: ns, body });
    }
  });

  after(async () => {
    await admin.makeApiClient(CustomObjectsApi).deleteCollectionNamespacedCustomObject({ ...ci, namespace: ns });
  });

  it('leaves out the clients whose pods carry an excluded label, found through the pod owner chain', async () => {
    const run = await cli('list', '-n', ns, '--exclude-labels', 'purpose=debug,team=none');
    expect(run).to.deep.equal({ code: 0, stdout: `web in namespace ${ns} calls:\n  - db in namespace ${ns}\n  - kubernetes in namespace default (Service)\n`, stderr: '' });
    const all = await cli('export', '--exclude-labels', 'purpose=debug');
    expect(all.stdout).not.to.include('name: debugger');
  });

  it('visualizes the same selection, to stdout or to a file whose extension picks the format', async () => {
    const dot = await cli('visualize', '-n', ns, '--format', 'dot', '--exclude-labels', 'purpose=debug');
    expect(dot.code).to.equal(0);
    expect(dot.stdout).to.include(`"web.${ns}" -> "db.${ns}";`);
    expect(dot.stdout).to.include(`"web.${ns}" -> "kubernetes.default";`);
    expect(dot.stdout).not.to.include('debugger');
    const dir = mkdtempSync(join(tmpdir(), 'netmap-visualize-'));
    try {
      for (const [file, start] of [['map.svg', '<?xml'], ['map.png', '\x89PNG'], ['map.mmd', 'flowchart LR'], ['map.dot', 'digraph netmap']] as const) {
        const run = await cli('visualize', '-n', ns, '-o', join(dir, file));
        expect(run.code, run.stderr).to.equal(0);
        expect(run.stderr).to.equal(`wrote the map of 2 ClientIntents to ${join(dir, file)} (${file === 'map.mmd' ? 'mermaid' : file.slice(4)})\n`);
        expect(readFileSync(join(dir, file), 'latin1').startsWith(start), file).to.equal(true);
      }
      // Graphviz writes '-' as &#45; in SVG text.
      expect(readFileSync(join(dir, 'map.svg'), 'utf8').replaceAll('&#45;', '-')).to.include(`>debugger.${ns}</text>`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves out excluded services as clients and as targets', async () => {
    const run = await cli('list', '-n', ns, '--exclude-services', `db,kubernetes.default`);
    expect(run).to.deep.equal({ code: 0, stdout: `debugger in namespace ${ns} calls:\n  - web in namespace ${ns}\n`, stderr: '' });
    expect((await cli('list', '-n', ns, '--exclude-services', 'web')).stdout).to.equal('');
  });
});
