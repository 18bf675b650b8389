import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { decodeDriftReport } from '../../../src/operator/core/drift-report.js';
import { fluxNamespace, installFlux, uninstallFlux } from '../../support/local-cluster/flux/flux-install.js';
import { startGitServer, type GitServer } from '../../support/local-cluster/flux/git-server.js';
import { applyManifests, observationNamespace, repoRoot, type LocalCluster } from '../../support/local-cluster/local-cluster.js';
import { describeWrites, loggedIntentsWrites } from '../../support/local-cluster/operator-writes.js';
import { pauseOtterizeOperator, resumeOtterizeOperator } from '../../support/otterize/otterize-pause.js';
import { slottedPort } from '../../support/test-slot.js';
import { waitFor } from '../../support/wait-for.js';
import type { DemoDeployment } from './otterize-consumer-tests.js';

const cliMain = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ignoreNotFound = (error: unknown): void => {
  if ((error as { code?: number }).code !== 404) throw error;
};
const ns = 'e2e-gitops';
const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };
const kustomizations = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' };
const gitRepositories = { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' };
/**
 * How long Flux gets to fetch a commit or apply one. Both take a second or two on a quiet machine
 * (5 s intervals); CI's machine is shared and loaded, and a Kustomization created before its
 * source has an artifact looks again only after 30 s.
 */
const fluxTimeoutMs = 150_000;

interface ClientIntentsRead {
  metadata: { resourceVersion?: string; labels?: Record<string, string>; managedFields?: { manager?: string; time?: string; subresource?: string }[] };
  spec: { targets: unknown[] };
}
interface KustomizationRead {
  status?: { lastAppliedRevision?: string; lastHandledReconcileAt?: string; artifact?: { revision?: string }; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * The servers a target list names. HTTP paths are on in the local cluster and reach the map with
 * the first request seen, which an export may come before; the story here is which servers.
 */
const servers = (targets: readonly unknown[]): unknown[] =>
  targets.map((t) => {
    const { kubernetes } = t as { kubernetes?: { name: string; kind?: string } };
    return kubernetes ? { kubernetes: { name: kubernetes.name, kind: kubernetes.kind } } : t;
  });

/**
 * The GitOps story with the real Flux (docs/gitops.md): source-controller and kustomize-controller
 * built by the set-up, run as Deployments from images built here, a git server on the host over
 * HTTP, a GitRepository and a Kustomization on it. A client of its own namespace: its map is
 * exported and committed, Flux applies it, then over ten reconciliations with a new call in the
 * middle nobody fights; the export of what is undeclared is committed, and the drift is gone.
 * Last, Flux is uninstalled, so that nothing of it is left for the tests after it.
 *
 * With Otterize's Intents Operator in the cluster it is paused for this part (its webhook server
 * stays up). Otterize makes an egress policy for every client with a ClientIntents, and it would
 * make one for each Flux controller from the map of its first seconds (the API server alone):
 * source-controller's first fetch from the git server and kustomize-controller's first download
 * from source-controller come later, when the GitRepository and the Kustomization exist, and
 * would be refused; a refused call is never mapped (only answered calls are), so Flux would never
 * fetch or apply (docs/gitops.md, "Flux and Otterize's enforcement").
 */
export function describeFluxGitOps(cluster: () => LocalCluster, deployment: DemoDeployment): void {
  {
    // Tests of the end-to-end describe itself (a nested describe would run after its cleanup test).
    let git: GitServer;
    let partStart = Date.now();
    const admin = () => cluster().admin;
    const custom = () => admin().makeApiClient(CustomObjectsApi);
    const intentsDir = () => join(git.checkout, 'intents');
    const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      // Not spawnSync: the git server answers in this process.
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliMain, ...args], { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', KUBECONFIG: cluster().controlPlane.kubeconfigPath }, timeout: 60_000 });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    };
    const shopper = async (): Promise<ClientIntentsRead | undefined> =>
      (await custom().getNamespacedCustomObject({ ...ci, namespace: ns, name: 'shopper' }).catch(() => undefined)) as ClientIntentsRead | undefined;
    const kustomization = async (): Promise<KustomizationRead> => (await custom().getNamespacedCustomObject({ ...kustomizations, namespace: fluxNamespace, name: 'intents' })) as KustomizationRead;
    const gitRepository = async (): Promise<KustomizationRead> => (await custom().getNamespacedCustomObject({ ...gitRepositories, namespace: fluxNamespace, name: 'intents' })) as KustomizationRead;
    const ready = (k: KustomizationRead) => k.status?.conditions?.find((c) => c.type === 'Ready');
    /** The last lines a Flux controller logged (through the kubelet). */
    const controllerLog = async (app: string): Promise<string> => {
      const core = admin().makeApiClient(CoreV1Api);
      const pod = (await core.listNamespacedPod({ namespace: fluxNamespace, labelSelector: `app=${app}` })).items[0];
      return pod ? core.readNamespacedPodLog({ namespace: fluxNamespace, name: pod.metadata!.name!, tailLines: 8 }) : 'no pod';
    };
    /** What Flux said, for a failure message: both objects' Ready conditions and the controllers' last log lines. */
    const fluxState = async (): Promise<string> => {
      const repo = await gitRepository().catch(() => undefined);
      const k = await kustomization().catch(() => undefined);
      return [
        `GitRepository Ready: ${JSON.stringify(repo ? ready(repo) : undefined)}, artifact ${repo?.status?.artifact?.revision ?? 'none'}`,
        `Kustomization Ready: ${JSON.stringify(k ? ready(k) : undefined)}, last applied ${k?.status?.lastAppliedRevision ?? 'none'}`,
        `source-controller's log:\n${await controllerLog('source-controller').catch(String)}`,
        `kustomize-controller's log:\n${await controllerLog('kustomize-controller').catch(String)}`,
      ].join('\n');
    };
    const withFluxState = async (error: Error): Promise<never> => {
      throw new Error(`${error.message}\n${await fluxState()}`, { cause: error });
    };
    /** Waits until Flux applied `commit` (or the newest commit) and is Ready. */
    const applied = (commit: string) => waitFor(`Flux applied ${commit.slice(0, 8)}`, async () => {
      const k = await kustomization();
      return k.status?.lastAppliedRevision?.endsWith(commit) && ready(k)?.status === 'True' ? k : undefined;
    }, fluxTimeoutMs).catch(withFluxState);
    /** One reconciliation on request (Flux's reconcile.fluxcd.io/requestedAt), Ready after it. */
    const reconcileOnce = async (): Promise<KustomizationRead> => {
      const at = new Date().toISOString();
      await custom().patchNamespacedCustomObject({ ...kustomizations, namespace: fluxNamespace, name: 'intents', body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } } }, mergePatch);
      return waitFor(`Flux reconciliation ${at}`, async () => {
        const k = await kustomization();
        return k.status?.lastHandledReconcileAt === at ? k : undefined;
      }, 60_000).catch(withFluxState);
    };

    it('GitOps: runs the real Flux (source-controller, kustomize-controller, their CRDs) and a git server; Flux applies a commit', async function () {
      this.timeout(420_000);
      partStart = Date.now();
      if (cluster().withOtterize) await pauseOtterizeOperator(admin());
      await installFlux(admin(), repoRoot, cluster().network.containerdSocket);
      git = await startGitServer(join(cluster().stateDir, 'git'), cluster().network.hostLink.hostIP, slottedPort(19531));
      await applyManifests(admin(), [
        `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n---`,
        deployment('store', ns, { LISTEN_PORT: '8080' }, 8080),
        deployment('stock', ns, { LISTEN_PORT: '8080' }, 8080),
        deployment('shopper', ns, { TARGETS: 'http://store:8080/' }),
      ].join('\n'));
      const first = git.commit('empty', new Map([['intents/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n']]));
      await applyManifests(admin(), `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: intents, namespace: ${fluxNamespace} }
spec: { interval: 5s, url: "${git.url}", ref: { branch: main } }
---`);
      // The Kustomization once its source has an artifact: before, kustomize-controller waits 30 s to look again.
      await waitFor('GitRepository Ready', async () => (ready(await gitRepository())?.status === 'True' ? true : undefined), fluxTimeoutMs).catch(withFluxState);
      await applyManifests(admin(), `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: intents, namespace: ${fluxNamespace} }
spec: { interval: 5s, path: ./intents, prune: true, sourceRef: { kind: GitRepository, name: intents } }
---`);
      const k = await applied(first);
      expect(ready(k)?.reason).to.equal('ReconciliationSucceeded');
    });

    // Stopped by the last test; here too when a run ends before it.
    after(async () => {
      await git?.stop().catch(() => undefined);
    });

    it('GitOps: applies the committed export onto the object network-mapper wrote, which lets go of it', async function () {
      this.timeout(240_000);
      await waitFor('ClientIntents shopper -> store', async () => ((await shopper())?.spec.targets.length === 1 ? true : undefined), 60_000);
      // The operator's log of its writes names this one (what the check of no write below reads).
      const logged = await loggedIntentsWrites(admin(), observationNamespace, partStart);
      expect(logged.some((w) => w.namespace === ns && w.name === 'shopper' && w.message === 'ClientIntents applied'), `writes logged:\n${describeWrites(logged)}`).to.equal(true);
      const exported = await cli('export', '-n', ns, '-o', intentsDir(), '--output-type', 'dir');
      expect(exported.code, exported.stderr).to.equal(0);
      const commit = git.commit('the map', new Map());
      await applied(commit);
      // Flux's labels on it, and no field of it ours but status (our label released, or its
      // ownership taken by Flux's clean-up of other managers).
      const object = await waitFor('shopper taken over by Flux', async () => {
        const o = await shopper();
        const ours = (o?.metadata.managedFields ?? []).filter((f) => f.manager === 'network-mapper' && f.subresource !== 'status');
        return o && o.metadata.labels?.['kustomize.toolkit.fluxcd.io/name'] === 'intents' && ours.length === 0 ? o : undefined;
      }, 30_000);
      expect(servers(object.spec.targets)).to.deep.equal([{ kubernetes: { name: 'store', kind: 'Deployment' } }]);
      const specOwners = (object.metadata.managedFields ?? []).filter((f) => JSON.stringify(f).includes('f:spec')).map((f) => f.manager);
      expect(specOwners).to.deep.equal(['kustomize-controller']);
      expect((await custom().listNamespacedCustomObject({ ...ci, namespace: ns }) as { items: { spec: { workload: { name: string } } }[] }).items.filter((i) => i.spec.workload.name === 'shopper')).to.have.length(1);
    });

    it('GitOps: over ten Flux reconciliations with a new call in the middle: Ready throughout, no correction, resourceVersion unchanged; the call in diff and export --only-undeclared', async function () {
      this.timeout(300_000);
      // Settled: the release of our label (and, with Otterize, its finalizer and status) written.
      const before = await waitFor('shopper unchanged for 5 s', async () => {
        const first = await shopper();
        await new Promise((r) => setTimeout(r, 5000));
        const second = await shopper();
        return first && second?.metadata.resourceVersion === first.metadata.resourceVersion ? second : undefined;
      }, 60_000);
      const rv = before.metadata.resourceVersion;
      const since = Date.now();
      for (let i = 0; i < 10; i++) {
        if (i === 4) {
          // The new call: shopper now also calls stock (its pod is replaced, the workload stays).
          await admin().makeApiClient(AppsV1Api).patchNamespacedDeployment({ namespace: ns, name: 'shopper', body: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'TARGETS', value: 'http://store:8080/ http://stock:8080/' }] }] } } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
          await waitFor('drift report naming stock', async () => {
            const map = await admin().makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: observationNamespace, name: 'network-mapper-drift' }).catch(() => undefined);
            return decodeDriftReport(map?.data).entries.some((e) => e.namespace === ns && e.name === 'shopper' && JSON.stringify(e.undeclared).includes('stock')) ? true : undefined;
          }, 60_000);
        }
        const k = await reconcileOnce();
        expect(ready(k)?.status, `reconciliation ${i + 1}: ${ready(k)?.message}`).to.equal('True');
        expect((await shopper())?.metadata.resourceVersion, `reconciliation ${i + 1}`).to.equal(rv);
      }
      const after = (await shopper())!;
      expect(after.spec).to.deep.equal(before.spec);
      // Our side of it: no ClientIntents write in the namespace Flux applies to (its object is
      // Flux's; the other two workloads are servers only), by the operator's own log.
      const writes = await loggedIntentsWrites(admin(), observationNamespace, since);
      console.log(`local-cluster: ClientIntents writes of network-mapper over ten Flux reconciliations: ${writes.length}\n${describeWrites(writes)}`);
      expect(describeWrites(writes.filter((w) => w.namespace === ns))).to.equal('none logged');
      expect(after.metadata.managedFields?.find((f) => f.manager === 'kustomize-controller')?.time).to.equal(before.metadata.managedFields?.find((f) => f.manager === 'kustomize-controller')?.time);
      // Flux's own account (kustomize-controller's log, through the kubelet): each apply since found shopper unchanged.
      const core = admin().makeApiClient(CoreV1Api);
      const pod = (await core.listNamespacedPod({ namespace: fluxNamespace, labelSelector: 'app=kustomize-controller' })).items[0]!;
      const actions = (await core.readNamespacedPodLog({ namespace: fluxNamespace, name: pod.metadata!.name! })).split('\n').flatMap((line) => {
        try {
          const entry = JSON.parse(line) as { ts?: string; msg?: string; output?: Record<string, string> };
          const action = entry.output?.[`ClientIntents/${ns}/shopper`];
          return entry.msg === 'server-side apply completed' && action && Date.parse(entry.ts ?? '') >= since ? [action] : [];
        } catch {
          return [];
        }
      });
      expect(actions.length).to.be.at.least(10);
      expect([...new Set(actions)]).to.deep.equal(['unchanged']);
      const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=shopper' });
      expect(events.items.some((e) => e.reason === 'GitOpsDrift' && e.message?.includes('stock'))).to.equal(true);

      const diff = await cli('diff', '-n', ns);
      expect(diff.code, diff.stderr).to.equal(1);
      expect(diff.stdout).to.contain('+ stock in namespace e2e-gitops');
      const next = await cli('export', '-n', ns, '--only-undeclared', '-o', intentsDir(), '--output-type', 'dir');
      expect(next.code, next.stderr).to.equal(0);
      const file = parse(readFileSync(join(intentsDir(), 'shopper.e2e-gitops.yaml'), 'utf8')) as { metadata: { name: string }; spec: { targets: unknown[] } };
      expect(file.metadata.name).to.equal('shopper');
      expect(servers(file.spec.targets)).to.deep.equal([{ kubernetes: { name: 'store', kind: 'Deployment' } }, { kubernetes: { name: 'stock', kind: 'Deployment' } }]);
    });

    it('GitOps: applies the committed export of what was undeclared; the drift report is then empty', async function () {
      this.timeout(240_000);
      const commit = git.commit('what network-mapper observed', new Map());
      await applied(commit);
      await waitFor('shopper -> store and stock, as committed', async () => ((await shopper())?.spec.targets.length === 2 ? true : undefined), 30_000);
      const clean = await waitFor('an empty drift report', async () => {
        const run = await cli('diff', '-n', ns);
        return run.code === 0 ? run : undefined;
      }, 60_000);
      expect(clean.stdout).to.equal('');
      await waitFor('nothing left to commit', async () => ((await cli('export', '-n', ns, '--only-undeclared')).stdout === '' ? true : undefined), 30_000);
    });

    it('GitOps: uninstalls Flux (its objects, controllers, namespaces and CRDs), so that nothing of it runs in the tests after it', async function () {
      this.timeout(300_000);
      const core = admin().makeApiClient(CoreV1Api);
      const gone = async (read: () => Promise<unknown>): Promise<boolean> => read().then(() => false, (error: { code?: number }) => error.code === 404);
      const flux = [{ ...kustomizations, namespace: fluxNamespace, name: 'intents' }, { ...gitRepositories, namespace: fluxNamespace, name: 'intents' }];
      let stuck: Error | undefined;
      try {
        // What the map holds for Flux's own controllers: what Otterize's egress policies would allow them.
        const own = (await custom().listNamespacedCustomObject({ ...ci, namespace: fluxNamespace })) as { items: { metadata: { name: string }; spec: { targets: unknown[] } }[] };
        console.log(`local-cluster: the map of Flux's controllers: ${own.items.map((i) => `${i.metadata.name} -> ${JSON.stringify(servers(i.spec.targets))}`).join('; ') || 'none'}`);
        // Suspended first: deleting the Kustomization then prunes nothing, and nothing is applied meanwhile.
        for (const ref of flux) await custom().patchNamespacedCustomObject({ ...ref, body: { spec: { suspend: true } } }, mergePatch).catch(ignoreNotFound);
        for (const ref of flux) await custom().deleteNamespacedCustomObject(ref).catch(ignoreNotFound);
        await waitFor('the Kustomization and the GitRepository gone (the controllers take their finalizers off)', async () => {
          for (const ref of flux) if (!(await gone(() => custom().getNamespacedCustomObject(ref)))) return undefined;
          return true;
        }, 60_000).catch(async (error: Error) => {
          stuck = new Error(`${error.message}\n${await fluxState()}`, { cause: error });
          // Their finalizers by hand, so that the clean-up below still leaves nothing of Flux.
          for (const ref of flux) await custom().patchNamespacedCustomObject({ ...ref, body: { metadata: { finalizers: null } } }, mergePatch).catch(ignoreNotFound);
        });
        await (git as GitServer | undefined)?.stop();
        await core.deleteNamespace({ name: ns }).catch(ignoreNotFound);
        await uninstallFlux(admin(), repoRoot);
        await waitFor(`namespace ${ns} gone`, () => gone(() => core.readNamespace({ name: ns })), 120_000);
        const crds = await waitFor('Flux\'s CRDs gone', async () => {
          const left = (await admin().makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition()).items.filter((c) => c.spec.group.endsWith('.toolkit.fluxcd.io'));
          return left.length === 0 ? left : undefined;
        }, 60_000);
        expect(crds).to.deep.equal([]);
        const intents = (await custom().listClusterCustomObject(ci)) as { items: { metadata: { namespace: string; name: string } }[] };
        expect(intents.items.filter((i) => i.metadata.namespace === ns || i.metadata.namespace === fluxNamespace).map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).to.deep.equal([]);
        if (stuck) throw stuck;
      } finally {
        if (cluster().withOtterize) await resumeOtterizeOperator(admin());
      }
    });
  }
}
