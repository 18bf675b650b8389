import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, loadAllYaml, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { decodeDriftReport } from '../../../src/operator/core/drift-report.js';
import { collectJsonLogs, terminate } from '../../support/component-process.js';
import { fluxImages, fluxNamespace } from '../../support/local-cluster/flux/flux-install.js';
import { startGitServer, type GitServer } from '../../support/local-cluster/flux/git-server.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { slottedPort } from '../../support/test-slot.js';
import { runCliProcess } from '../cli/cli-process.js';
import { connection, leadingOperatorSuite, waitFor, type ClientIntentsRead } from './cluster-fixtures.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const opNs = 'netmap-flux';
const appNs = 'flux-shop';
const kustomizations = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface KustomizationRead {
  status?: { lastAppliedRevision?: string; lastHandledReconcileAt?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * The real Flux controllers (the set-up's builds of source-controller and kustomize-controller,
 * as processes on this machine) against the real API server with the operator, a git server over
 * HTTP, a GitRepository and a Kustomization: the committed export is applied, ten reconciliations
 * with a new call in the middle change nothing, the next export is committed and the drift is gone.
 * The local cluster's end-to-end test runs the same story with Flux as pods and real traffic.
 */
describe('the real Flux controllers and the operator on one ClientIntents (real API server)', function () {
  this.timeout(180_000);
  const suite = leadingOperatorSuite(opNs, [appNs], 'flux');
  const processes: ChildProcess[] = [];
  let git: GitServer;
  let dir: string;
  let kubeconfig: string;

  const custom = () => suite.cluster.custom;
  const kustomization = async (): Promise<KustomizationRead> => (await custom().getNamespacedCustomObject({ ...kustomizations, namespace: fluxNamespace, name: 'intents' })) as KustomizationRead;
  const ready = (k: KustomizationRead) => k.status?.conditions?.find((c) => c.type === 'Ready');
  const applied = (commit: string) => waitFor(`Flux applied ${commit.slice(0, 8)}`, async () => {
    const k = await kustomization().catch(() => undefined);
    return k?.status?.lastAppliedRevision?.endsWith(commit) && ready(k)?.status === 'True' ? k : undefined;
  }, 90_000);
  const reconcileOnce = async (): Promise<KustomizationRead> => {
    const at = new Date().toISOString();
    await custom().patchNamespacedCustomObject({ ...kustomizations, namespace: fluxNamespace, name: 'intents', body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } } }, mergePatch);
    return waitFor(`Flux reconciliation ${at}`, async () => {
      const k = await kustomization();
      return k.status?.lastHandledReconcileAt === at ? k : undefined;
    }, 60_000);
  };
  const cli = (...args: string[]) => runCliProcess([...args, '--install-namespace', opNs], { KUBECONFIG: kubeconfig });
  const web = () => suite.cluster.intents(appNs, 'web');
  /** Starts a controller; its JSON log lines as they arrive. */
  const start = (name: string, args: string[]): Record<string, unknown>[] => {
    const binary = join(repoRoot, '.cache', `flux-${name}`);
    if (!existsSync(binary)) throw new Error(`no ${binary}: run scripts/setup.sh flux`);
    const child = spawn(binary, args, { env: { PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: fluxNamespace, HOME: dir, TMPDIR: dir }, stdio: ['ignore', 'ignore', 'pipe'] });
    processes.push(child);
    return collectJsonLogs(child);
  };
  let kustomizeLogs: Record<string, unknown>[] = [];
  /** What kustomize-controller's applies did to web, in order (`configured`, `unchanged`, ...). */
  const fluxActions = (): string[] => kustomizeLogs.filter((l) => l.msg === 'server-side apply completed')
    .flatMap((l) => {
      const action = (l.output as Record<string, string> | undefined)?.[`ClientIntents/${appNs}/web`];
      return action ? [action] : [];
    });

  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(join(tmpdir(), 'netmap-flux-'));
    const controlPlane = await sharedControlPlane();
    kubeconfig = controlPlane.kubeconfigPath;
    const admin = controlPlane.admin();
    const objects = KubernetesObjectApi.makeApiClient(admin);
    const { crdDir } = fluxImages(repoRoot);
    // Every kind the controllers watch: source-controller does not start without each of its own.
    for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
      for (const crd of loadAllYaml(readFileSync(join(crdDir, file), 'utf8')) as KubernetesObject[]) await objects.create(crd).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
    }
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: fluxNamespace } } }).catch((e: { code?: number }) => { if (e.code !== 409) throw e; });
    git = await startGitServer(join(dir, 'git'), '127.0.0.1', slottedPort(19532));
    const storage = `127.0.0.1:${slottedPort(19533)}`;
    mkdirSync(join(dir, 'artifacts'));
    start('source-controller', ['--enable-leader-election=false', `--storage-path=${join(dir, 'artifacts')}`, `--storage-addr=${storage}`, `--storage-adv-addr=${storage}`, '--metrics-addr=0', `--health-addr=127.0.0.1:${slottedPort(19534)}`, '--events-addr=']);
    kustomizeLogs = start('kustomize-controller', ['--enable-leader-election=false', '--metrics-addr=0', `--health-addr=127.0.0.1:${slottedPort(19535)}`, '--events-addr=']);
    const first = git.commit('empty', new Map([['intents/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n']]));
    await custom().createNamespacedCustomObject({ group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories', namespace: fluxNamespace, body: { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'intents', namespace: fluxNamespace }, spec: { interval: '3s', url: git.url, ref: { branch: 'main' } } } });
    // The Kustomization once its source has an artifact: before, kustomize-controller waits 30 s to look again.
    await waitFor('GitRepository Ready', async () => {
      const repo = (await custom().getNamespacedCustomObject({ group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories', namespace: fluxNamespace, name: 'intents' })) as KustomizationRead;
      return ready(repo)?.status === 'True' ? true : undefined;
    }, 60_000);
    await custom().createNamespacedCustomObject({ ...kustomizations, namespace: fluxNamespace, body: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'intents', namespace: fluxNamespace }, spec: { interval: '3s', path: './intents', prune: true, sourceRef: { kind: 'GitRepository', name: 'intents' } } } });
    await applied(first);
  });

  after(async () => {
    await Promise.all(processes.map((p) => terminate(p)));
    await git?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies the committed export; over ten reconciliations with a new call nobody fights; the next export applied, the drift is gone', async () => {
    await suite.cluster.deployment(appNs, 'web', '10.248.9.10');
    await suite.cluster.deployment(appNs, 'cart', '10.248.9.11');
    await suite.cluster.deployment(appNs, 'orders', '10.248.9.12');
    let reports = 0;
    const report = (...to: string[]) => suite.cluster.observation(opNs, `flux-${reports++}`, { connections: to.map((ip) => connection('10.248.9.10', ip, 8080)) });
    await report('10.248.9.11');
    await waitFor('our ClientIntents for web', web);

    // The map exported into the checkout, committed, pushed; Flux applies it onto our object.
    const intentsDir = join(git.checkout, 'intents');
    const exported = await cli('export', '-n', appNs, '-o', intentsDir, '--output-type', 'dir');
    expect(exported.code, exported.stderr).to.equal(0);
    await applied(git.commit('the map', new Map()));
    const taken = await waitFor('web taken over by Flux', async () => {
      const o = await web();
      const ours = (o?.metadata?.managedFields ?? []).filter((f) => f.manager === 'network-mapper' && f.subresource !== 'status');
      return o?.metadata?.labels?.['kustomize.toolkit.fluxcd.io/name'] === 'intents' && ours.length === 0 ? o : undefined;
    });
    expect((taken.metadata?.managedFields ?? []).filter((f) => JSON.stringify(f.fieldsV1 ?? {}).includes('f:spec')).map((f) => f.manager)).to.deep.equal(['kustomize-controller']);
    const settled = await waitFor('web unchanged for 3 s', async () => {
      const a = await web();
      await new Promise((r) => setTimeout(r, 3000));
      const b = await web();
      return a && b?.metadata?.resourceVersion === a.metadata?.resourceVersion ? b : undefined;
    });
    const rv = settled.metadata?.resourceVersion;
    const actionsBefore = fluxActions().length;

    for (let i = 0; i < 10; i++) {
      if (i === 4) {
        await report('10.248.9.11', '10.248.9.12');
        await waitFor('drift report naming orders', async () => {
          const map = await suite.cluster.core.readNamespacedConfigMap({ namespace: opNs, name: 'network-mapper-drift' }).catch(() => undefined);
          return decodeDriftReport(map?.data).entries.some((e) => e.name === 'web' && JSON.stringify(e.undeclared).includes('orders')) ? true : undefined;
        });
      }
      const k = await reconcileOnce();
      expect(ready(k)?.status, `reconciliation ${i + 1}: ${ready(k)?.message}`).to.equal('True');
      expect((await web())?.metadata?.resourceVersion, `resourceVersion after reconciliation ${i + 1}`).to.equal(rv);
    }
    // Flux's own account: every apply since found web unchanged (a drift correction says `configured`).
    const during = fluxActions().slice(actionsBefore);
    expect(during.length).to.be.at.least(10);
    expect([...new Set(during)]).to.deep.equal(['unchanged']);
    const fluxTime = (o: ClientIntentsRead | undefined) => o?.metadata?.managedFields?.find((f) => f.manager === 'kustomize-controller')?.time;
    expect(fluxTime(await web())).to.deep.equal(fluxTime(settled));

    const diff = await cli('diff', '-n', appNs);
    expect(diff.code, diff.stderr).to.equal(1);
    expect(diff.stdout).to.contain('+ orders in namespace flux-shop');
    const next = await cli('export', '-n', appNs, '--only-undeclared', '-o', intentsDir, '--output-type', 'dir');
    expect(next.code, next.stderr).to.equal(0);
    expect((parse(readFileSync(join(intentsDir, 'web.flux-shop.yaml'), 'utf8')) as { spec: { targets: unknown[] } }).spec.targets).to.deep.equal([{ kubernetes: { name: 'cart', kind: 'Deployment' } }, { kubernetes: { name: 'orders', kind: 'Deployment' } }]);
    await applied(git.commit('what network-mapper observed', new Map()));
    await waitFor('web -> cart and orders, as committed', async () => ((await web())?.spec.targets.length === 2 ? true : undefined));
    await waitFor('an empty drift report', async () => ((await cli('diff', '-n', appNs)).code === 0 ? true : undefined));
    await waitFor('nothing left to commit', async () => ((await cli('export', '-n', appNs, '--only-undeclared')).stdout === '' ? true : undefined));
    expect((await suite.cluster.listIntents(appNs)).filter((o) => o.spec.workload.name === 'web')).to.have.length(1);
  });
});
