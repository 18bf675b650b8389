import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, type KubeConfig, type V1NetworkPolicy } from '@kubernetes/client-node';
import { collectJsonLogs } from '../../support/component-process.js';
import { controlPlaneBinary, startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { committedCrds, installCrds } from '../../support/crds.js';
import { otterizeDir, type OtterizeDir } from '../../support/otterize/otterize-dir.js';
import { startOtterize, type RunningOtterize } from '../../support/otterize/otterize-install.js';
import { appliedByOtterize as applied, otterizeFinalizer as finalizer } from '../../support/otterize/otterize-policies.js';
import { sumMetric } from '../../support/metrics.js';
import { writeServiceAccountKubeconfig } from '../../support/service-account-kubeconfig.js';
import { waitFor } from '../../support/wait-for.js';
import { applyOperatorRbac, ciApi, Cluster, connection, dnsAnswer, type ClientIntentsRead } from '../operator/cluster-fixtures.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const operatorMain = join(repoRoot, 'dist', 'src', 'operator', 'main.js');
const cliMain = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const operatorNamespace = 'network-mapper';
const app = 'shop';

/** Our operator as its Deployment runs it: main.js, env, its ServiceAccount's token. */
class NetmapOperator {
  readonly logs: Record<string, unknown>[];
  private readonly child: ChildProcess;

  constructor(kubeconfigPath: string) {
    this.child = spawn(process.execPath, [operatorMain], {
      env: {
        PATH: process.env.PATH ?? '', KUBECONFIG: kubeconfigPath, HEALTH_PORT: '0', POD_NAME: 'netmap-operator-0', LOG_LEVEL: 'info',
        OBSERVATION_NAMESPACE: operatorNamespace,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.logs = collectJsonLogs(this.child);
  }

  private port(): Promise<number> {
    return waitFor('operator started', () => this.logs.find((l) => l.message === 'operator started')?.healthPort as number | undefined);
  }

  /** Ready: caches synced (pods, Services, ClientIntents), so what it reads next is resolvable. */
  async ready(): Promise<void> {
    const port = await this.port();
    await waitFor('our operator ready', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), 60_000);
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sumMetric(await (await fetch(`http://127.0.0.1:${await this.port()}/metrics`)).text(), name, labels);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

function targetNames(ci: ClientIntentsRead): string[] {
  return ci.spec.targets.map((t) => JSON.stringify(t)).sort();
}

const found = otterizeDir();
// Where no Otterize directory is named, scripts/test.sh says so in one line and leaves this file out.
if (found) describeOtterize(found);

function describeOtterize(dir: OtterizeDir): void {
  describe('the real Otterize Intents Operator consumes the map', function () {
    this.timeout(240_000);
    let cp: ControlPlane;
    let otterize: RunningOtterize;
    let netmap: NetmapOperator;
    let cluster: Cluster;
    let admin: KubeConfig;
    let stateDir: string;
    const policies = async (namespace: string): Promise<V1NetworkPolicy[]> => (await admin.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace })).items;
    const managedIntents = async (): Promise<ClientIntentsRead[]> => (await cluster.listIntents(app)).filter((ci) => ci.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'network-mapper');
    let serverIP = '';

    before(async () => {
      stateDir = mkdtempSync(join(tmpdir(), 'netmap-otterize-'));
      cp = await startControlPlane();
      admin = cp.admin();
      otterize = await startOtterize(cp, dir, join(stateDir, 'otterize'), { egressPolicies: true });
      await installCrds(admin, committedCrds().filter((crd) => crd.spec.group === 'netmap.dev'));
      cluster = new Cluster(admin);
      for (const ns of [operatorNamespace, app]) await cluster.namespace(ns);
      await applyOperatorRbac(admin, operatorNamespace);
      const kubeconfigPath = join(stateDir, 'operator.kubeconfig');
      writeServiceAccountKubeconfig(await cp.serviceAccount(operatorNamespace, 'network-mapper-operator'), kubeconfigPath, operatorNamespace);
      netmap = new NetmapOperator(kubeconfigPath);
      await netmap.ready();

      await cluster.deployment(app, 'frontend', '10.1.0.10');
      const server = await cluster.deployment(app, 'cart', '10.1.0.20');
      [serverIP] = await cluster.service(app, 'cart', [{ name: server.metadata!.name!, ip: '10.1.0.20' }]) as [string];
      await cluster.observation(operatorNamespace, 'node-a-1', {
        connections: [connection('10.1.0.10', serverIP, 80), connection('10.1.0.10', '203.0.113.7', 443)],
        dnsAnswers: [dnsAnswer('10.1.0.10', 'api.payments.example', ['203.0.113.7'])],
      });
    });

    after(async () => {
      await netmap?.stop();
      await otterize?.stop();
      await cp?.stop();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    });

    it('admits every object network-mapper writes, applies it, and creates a NetworkPolicy per server', async () => {
      const ci = await waitFor('frontend applied by Otterize', async () => {
        const read = await cluster.intents(app, 'frontend');
        return applied(read) && read!.spec.targets.length === 2 && read!.metadata?.finalizers?.includes(finalizer) ? read : undefined;
      }, 60_000);
      expect(targetNames(ci)).to.deep.equal([
        JSON.stringify({ internet: { domains: ['api.payments.example'], ports: [443] } }),
        JSON.stringify({ kubernetes: { kind: 'Deployment', name: 'cart' } }),
      ].sort());
      // The server ports ClientIntents cannot hold ride in the evidence annotation, which the webhook admits as it is.
      const evidence = JSON.parse(ci.metadata!.annotations!['netmap.dev/evidence']!) as Record<string, { ports?: Record<string, unknown> }>;
      expect(evidence['kubernetes:cart#Deployment']?.ports).to.have.keys(['8080']);
      const ingress = await waitFor('the server\'s NetworkPolicy', async () => (await policies(app)).find((p) => p.metadata?.name === 'cart-deployment-access'), 30_000);
      expect(ingress.spec?.podSelector?.matchLabels).to.have.property('intents.otterize.com/service');
      expect(await netmap.metric('netmap_write_errors_total')).to.equal(0);
    });

    it('keeps resolvedIPs next to Otterize\'s status, and Otterize\'s egress rules carry them', async () => {
      const ci = await waitFor('resolvedIPs and upToDate together', async () => {
        const read = await cluster.intents(app, 'frontend');
        return applied(read) && read?.status?.resolvedIPs?.length ? read : undefined;
      });
      expect(ci.status?.resolvedIPs).to.deep.equal([{ dns: 'api.payments.example', ips: ['203.0.113.7'] }]);
      const egress = await waitFor('an egress policy with the resolved IP', async () => (await policies(app)).find((p) =>
        (p.spec?.egress ?? []).some((rule) => (rule.to ?? []).some((peer) => peer.ipBlock?.cidr === '203.0.113.7/32'))), 30_000);
      expect(egress.spec?.policyTypes).to.include('Egress');
    });

    it('makes no write over a steady minute although Otterize keeps its finalizer, status and pod labels', async function () {
      this.timeout(120_000);
      const before = await netmap.metric('netmap_writes_total', { resource: 'clientintents' });
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      expect(await netmap.metric('netmap_writes_total', { resource: 'clientintents' })).to.equal(before);
      const ci = (await cluster.intents(app, 'frontend'))!;
      expect(ci.metadata?.finalizers).to.include(finalizer);
      expect(applied(ci)).to.equal(true);
      const pods = (await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: app })).items;
      expect(pods.some((p) => Object.keys(p.metadata?.labels ?? {}).some((k) => k.startsWith('intents.otterize.com/')))).to.equal(true);
    });

    it('fails closed while the webhook server is down, and lands every pending target once it is back', async () => {
      await otterize.webhookServer.stop();
      const errorsBefore = await netmap.metric('netmap_write_errors_total');
      const payments = await cluster.deployment(app, 'payments', '10.1.0.30');
      const [paymentsIP] = await cluster.service(app, 'payments', [{ name: payments.metadata!.name!, ip: '10.1.0.30' }]) as [string];
      await cluster.observation(operatorNamespace, 'node-a-2', { connections: [connection('10.1.0.10', paymentsIP, 80)] });
      await waitFor('a refused write', async () => ((await netmap.metric('netmap_write_errors_total')) > errorsBefore ? true : undefined), 60_000);
      otterize.webhookServer.start();
      await otterize.webhookReady();
      const ci = await waitFor('the pending target', async () => {
        const read = await cluster.intents(app, 'frontend');
        return read?.spec.targets.length === 3 && applied(read) ? read : undefined;
      }, 90_000);
      expect(targetNames(ci)).to.include(JSON.stringify({ kubernetes: { kind: 'Deployment', name: 'payments' } }));
      expect(ci.metadata?.finalizers).to.include(finalizer);
      await waitFor('the new server\'s NetworkPolicy', async () => (await policies(app)).find((p) => p.metadata?.name === 'payments-deployment-access'), 30_000);
    });

    it('respects a ClientIntents a user wrote: no second object for that workload, and an Event for what it lacks', async () => {
      await cluster.deployment(app, 'checkout', '10.1.0.40');
      const errorsBefore = await netmap.metric('netmap_write_errors_total');
      await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        ...ciApi, namespace: app, fieldValidation: 'Strict',
        body: { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'checkout-by-hand', namespace: app }, spec: { workload: { name: 'checkout', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'payments', kind: 'Deployment' } }] } },
      });
      await cluster.observation(operatorNamespace, 'node-a-3', { connections: [connection('10.1.0.40', serverIP, 80)] });
      const events = await waitFor('the ObservedTargetsMissing event', async () => {
        const list = (await admin.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: app })).items;
        return list.find((e) => e.reason === 'ObservedTargetsMissing' && e.involvedObject.name === 'checkout-by-hand');
      }, 30_000);
      expect(events.message).to.contain('cart');
      const forCheckout = (await cluster.listIntents(app)).filter((ci) => ci.spec.workload.name === 'checkout');
      expect(forCheckout.map((ci) => ci.metadata?.name)).to.deep.equal(['checkout-by-hand']);
      // A second object would have been refused by the webhook, and counted.
      expect(await netmap.metric('netmap_write_errors_total')).to.equal(errorsBefore);
    });

    for (const apiVersion of ['v2beta1', 'v1alpha3']) {
      it(`accepts \`kubectl netmap export --output-type dir --api-version ${apiVersion}\` with kubectl apply -k under strict validation`, async () => {
        const out = join(stateDir, `export-${apiVersion}`);
        const exported = spawnSync(process.execPath, [cliMain, 'export', '-o', out, '--output-type', 'dir', '--api-version', apiVersion, '-n', app], { env: { ...process.env, KUBECONFIG: cp.kubeconfigPath }, encoding: 'utf8' });
        expect(exported.status, exported.stderr).to.equal(0);
        expect(readdirSync(out).filter((f) => f !== 'kustomization.yaml')).to.have.length((await managedIntents()).length);
        const apply = spawnSync(controlPlaneBinary(), ['kubectl', '--kubeconfig', cp.kubeconfigPath, 'apply', '-k', out, '--dry-run=server', '--validate=strict'], { encoding: 'utf8' });
        expect(apply.status, `${apply.stdout}\n${apply.stderr}`).to.equal(0);
        expect(apply.stdout).to.match(/clientintents\.k8s\.otterize\.com\/frontend (configured|unchanged|created) \(server dry run\)/);
      });
    }
  });
}
