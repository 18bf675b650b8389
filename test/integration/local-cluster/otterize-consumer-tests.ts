import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { clientIntentsDefinition, clientIntentsSpec, httpMethods, type ClientIntentsSpec } from '../../../src/crds/client-intents.js';
import { intentsBounds } from '../../../src/crds/bounds.js';
import { decodeEvidence, evidenceAnnotation, evidenceAnnotations, evidenceWrittenAtAnnotation, type Evidence } from '../../../src/operator/core/evidence.js';
import { canonicalJson } from '../../../src/shared/canonical-json.js';
import { maxPortsPerTarget } from '../../../src/operator/core/port-evidence.js';
import { idPlaceholder } from '../../../src/sniffer/core/http/path-template.js';
import { controlPlaneBinary } from '../../support/control-plane.js';
import { listIntentItems, type ClientIntentsItem } from '../../support/local-cluster/expected-intents.js';
import { applyManifests, observationNamespace, type LocalCluster } from '../../support/local-cluster/local-cluster.js';
import { releasePods } from '../../support/local-cluster/network-mapper-release.js';
import { describeWrites, loggedIntentsWrites } from '../../support/local-cluster/operator-writes.js';
import { sumMetric, writeRefusals } from '../../support/metrics.js';
import type { OtterizeDir } from '../../support/otterize/otterize-dir.js';
import { appliedByOtterize, otterizeFinalizer, otterizePolicies } from '../../support/otterize/otterize-policies.js';
import { chartAppVersion, clientIntentsCrdName, otterizeNamespace, waitForOtterizeReady, webhookServiceName } from '../../support/otterize/otterize-release.js';
import { waitFor } from '../../support/wait-for.js';

const cliMain = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const webhookServer = 'intents-operator-webhook-server';
/** The Deployment of Otterize's operator (its chart's name for it). */
const otterizeOperator = 'intents-operator-controller-manager';
/** What a ClientIntents write gets while Otterize's webhooks (failurePolicy Fail) have no server. */
const webhookDownCode = '500';

/** A Deployment (and Service) of the demo's app, as the end-to-end test writes them. */
export type DemoDeployment = (name: string, namespace: string, env: Record<string, string>, port?: number) => string;

/** A ClientIntents as read back with its annotations (the evidence is an annotation). */
interface AnnotatedIntents {
  metadata: { name: string; namespace: string; generation?: number; finalizers?: string[]; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: ClientIntentsSpec;
  status?: unknown;
}

const intentsApi = { group: clientIntentsDefinition.group, version: clientIntentsDefinition.version, plural: clientIntentsDefinition.plural };

/** Where Otterize puts the ingress policy of a server a ClientIntents names: `<name>-<kind>-access` in its namespace. */
function serverPolicy(target: { name: string; kind?: string }, clientNamespace: string): string {
  const [name, namespace = clientNamespace] = target.name.split('.');
  return `${namespace}/${name}-${(target.kind ?? 'deployment').toLowerCase()}-access`;
}

/**
 * The end-to-end test's part where Otterize's Intents Operator, installed by its own chart into
 * the local cluster, consumes the map: registered inside its describe, after the exact map has
 * been checked, only where OTTERIZE_BIN_DIR names Otterize (scripts/test.sh says so otherwise).
 */
export function describeOtterizeConsumer(dir: OtterizeDir, cluster: () => LocalCluster, deployment: DemoDeployment): void {
  const admin = () => cluster().admin;
  const allIntents = (): Promise<ClientIntentsItem[]> => listIntentItems(admin());
  /** Ours: the chart's operator labels what it manages. */
  const managedIntents = async (): Promise<ClientIntentsItem[]> => (await allIntents()).filter((i) => i.metadata.labels?.['app.kubernetes.io/managed-by'] === 'network-mapper');
  /** A metric summed over both operator replicas (each serves /metrics on its pod IP). */
  const operatorMetric = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
    let sum = 0;
    for (const pod of (await releasePods(admin(), observationNamespace)).operators) {
      sum += sumMetric(await (await fetch(`http://${pod.status!.podIP!}:8080/metrics`)).text(), name, labels);
    }
    return sum;
  };
  /**
   * Writes the API server refused, by HTTP status, over both replicas. Network failures and
   * timeouts (a transient during convergence) and 409 conflicts (Otterize adding its finalizer
   * between our read and our write) are not refusals: they are retried and counted apart.
   */
  const operatorRefusals = async (): Promise<Record<string, number>> => {
    const total: Record<string, number> = {};
    for (const pod of (await releasePods(admin(), observationNamespace)).operators) {
      for (const [code, n] of Object.entries(writeRefusals(await (await fetch(`http://${pod.status!.podIP!}:8080/metrics`)).text()))) total[code] = (total[code] ?? 0) + n;
    }
    return total;
  };
  const custom = (): CustomObjectsApi => admin().makeApiClient(CustomObjectsApi);
  const readIntents = async (namespace: string, name: string): Promise<AnnotatedIntents> => (await custom().getNamespacedCustomObject({ ...intentsApi, namespace, name })) as AnnotatedIntents;
  /**
   * Writes a ClientIntents of our CRD's shape (parsed by our own schema first) as our operator
   * would, under strict field validation through Otterize's webhooks (a refusal throws here), and
   * waits until Otterize has applied this generation (upToDate, its finalizer). Returns it as read back.
   */
  const admittedAndApplied = async (name: string, spec: ClientIntentsSpec, annotations: Record<string, string> = {}): Promise<AnnotatedIntents> => {
    const body = { apiVersion: `${clientIntentsDefinition.group}/${clientIntentsDefinition.version}`, kind: 'ClientIntents', metadata: { name, namespace: 'e2e-shop', annotations }, spec: clientIntentsSpec.parse(spec) };
    await custom().createNamespacedCustomObject({ ...intentsApi, namespace: 'e2e-shop', fieldValidation: 'Strict', body });
    return waitFor(`e2e-shop/${name} applied by Otterize`, async () => {
      const item = await readIntents('e2e-shop', name);
      return appliedByOtterize(item) && item.metadata.finalizers?.includes(otterizeFinalizer) ? item : undefined;
    }, 60_000);
  };
  /** Ours as the API server keeps them, annotations included. */
  const managedAnnotated = async (): Promise<AnnotatedIntents[]> =>
    ((await custom().listClusterCustomObject(intentsApi)) as { items: AnnotatedIntents[] }).items.filter((i) => i.metadata.labels?.['app.kubernetes.io/managed-by'] === 'network-mapper');
  const workloadIntents = async (namespace: string, workload: string): Promise<ClientIntentsItem[]> =>
    (await allIntents()).filter((i) => i.metadata.namespace === namespace && i.spec.workload.name === workload);

  it('installs Otterize by its own chart: its webhook Service, its self-signed certificate in the CRD and webhooks, and no CRD of ours', async () => {
    const crd = await admin().makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: clientIntentsCrdName });
    const clientConfig = crd.spec.conversion?.webhook?.clientConfig;
    expect(clientConfig?.service).to.include({ name: webhookServiceName, namespace: otterizeNamespace });
    expect(clientConfig?.url).to.equal(undefined);
    expect(Buffer.from(clientConfig!.caBundle!, 'base64').toString()).to.include('BEGIN CERTIFICATE');
    expect(crd.spec.versions.find((v) => v.storage)?.name).to.equal('v2alpha1');
    expect(crd.metadata?.annotations?.['meta.helm.sh/release-name'], 'network-mapper\'s chart left Otterize\'s CRD alone').to.equal(undefined);
    const secret = await admin().makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'intents-operator-webhook-cert', namespace: otterizeNamespace });
    expect(Buffer.from(secret.data!['tls.crt']!, 'base64').toString()).to.include('BEGIN CERTIFICATE');
    const pods = (await admin().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: otterizeNamespace })).items;
    const image = (name: string): string => `localhost/otterize/${name}:${chartAppVersion(dir)}`;
    expect(pods.map((p) => p.spec?.containers.map((c) => c.image))).to.have.deep.members([[image('intents-operator')], [image(webhookServer)]]);
    for (const pod of pods) {
      expect(pod.spec?.volumes?.some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken)), `${pod.metadata?.name} has its projected token`).to.equal(true);
    }
  });

  it('has every ClientIntents network-mapper writes admitted and applied by Otterize, with a NetworkPolicy for each server it names', async () => {
    const applied = await waitFor('every ClientIntents applied by Otterize, with its finalizer', async () => {
      const items = await managedIntents();
      return items.length > 0 && items.every((i) => appliedByOtterize(i) && i.metadata.finalizers?.includes(otterizeFinalizer)) ? items : undefined;
    }, 60_000);
    const servers = applied.flatMap((i) => i.spec.targets.flatMap((t) => (t.kubernetes ? [serverPolicy(t.kubernetes, i.metadata.namespace)] : [])));
    expect(servers).to.have.length.above(0);
    const policies = await waitFor('a NetworkPolicy from Otterize for each server', async () => {
      const found = (await otterizePolicies(admin())).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
      return servers.every((s) => found.includes(s)) ? found : undefined;
    }, 30_000);
    console.log(`local-cluster: Otterize's NetworkPolicies: ${policies.join(', ')}`);
    expect(await operatorRefusals(), 'no write refused by the API server or Otterize\'s webhooks').to.deep.equal({});
    const webPods = (await admin().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'e2e-shop', labelSelector: 'app=web' })).items;
    expect(Object.keys(webPods[0]?.metadata?.labels ?? {}).some((k) => k.startsWith('intents.otterize.com/access-')), 'Otterize labelled the client pod').to.equal(true);
  });

  it('admits and applies HTTP paths and methods on kubernetes targets (ClientIntents of our CRD\'s shape), and keeps them through its storage version', async () => {
    // Templated and plain paths, every method ClientIntents can name, and a target at the CRD's bound of paths.
    const atBound = Array.from({ length: intentsBounds.httpPerTarget }, (_, i) => ({ path: `/items/${idPlaceholder}/part-${i}`, methods: ['GET' as const] }));
    const spec: ClientIntentsSpec = {
      workload: { name: 'http-caller', kind: 'Deployment' },
      targets: [
        { kubernetes: { name: 'api', kind: 'Deployment', http: [{ path: `/orders/${idPlaceholder}`, methods: ['GET', 'POST'] }, { path: '/health', methods: [...httpMethods] }] } },
        { kubernetes: { name: 'payments.e2e-billing', kind: 'Deployment', http: atBound } },
      ],
    };
    try {
      const applied = await admittedAndApplied('http-caller', spec);
      // Otterize stores v2alpha1 and converts through its webhook: nothing of `http` may be lost on the way back.
      expect(applied.spec).to.deep.equal(spec);
    } finally {
      await custom().deleteNamespacedCustomObject({ ...intentsApi, namespace: 'e2e-shop', name: 'http-caller' });
    }
  });

  it('has every ClientIntents of ours that carries HTTP paths applied by Otterize', async () => {
    const withHttp = (await managedIntents()).filter((i) => i.spec.targets.some((t) => (t.kubernetes?.http?.length ?? 0) > 0 || (t.service?.http?.length ?? 0) > 0));
    // The demo turns HTTP capture on only where its chart values say so: none is then no failure, and the log says so.
    console.log(`local-cluster: ClientIntents of ours with HTTP paths: ${withHttp.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).join(', ') || 'none (HTTP capture off in the demo)'}`);
    for (const item of withHttp) expect(appliedByOtterize(item), `${item.metadata.namespace}/${item.metadata.name} applied`).to.equal(true);
  });

  it('admits and applies ClientIntents whose evidence annotation carries server ports: ours, and one at the ports bound', async () => {
    const ours = (await managedAnnotated()).filter((i) => [...decodeEvidence(i.metadata.annotations?.[evidenceAnnotation]).values()].some((e) => (e.ports?.size ?? 0) > 0));
    expect(ours.map((i) => `${i.metadata.namespace}/${i.metadata.name}`), 'the demo\'s ClientIntents record the server ports they use').to.include('e2e-shop/web');
    for (const item of ours) expect(appliedByOtterize(item), `${item.metadata.namespace}/${item.metadata.name} applied with ports in its evidence`).to.equal(true);

    const seen = Date.parse('2026-01-01T00:00:00Z');
    const ports = new Map(Array.from({ length: maxPortsPerTarget }, (_, i) => [1024 + i, { firstSeen: seen, lastSeen: seen + i * 1000 }] as const));
    const evidence = new Map<string, Evidence>([['kubernetes:api#Deployment', { firstSeen: seen, lastSeen: seen + 60_000, captures: new Set(['SYN']), ports }]]);
    const annotations = evidenceAnnotations(evidence, seen + 60_000);
    try {
      const applied = await admittedAndApplied('ports-caller', { workload: { name: 'ports-caller', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'api', kind: 'Deployment' } }] }, annotations);
      expect(applied.metadata.annotations?.[evidenceAnnotation]).to.equal(annotations[evidenceAnnotation]);
      expect(decodeEvidence(applied.metadata.annotations?.[evidenceAnnotation]).get('kubernetes:api#Deployment')?.ports?.size).to.equal(maxPortsPerTarget);
    } finally {
      await custom().deleteNamespacedCustomObject({ ...intentsApi, namespace: 'e2e-shop', name: 'ports-caller' });
    }
  });

  it('keeps status.resolvedIPs next to Otterize\'s status, and Otterize\'s egress rules carry those IPs', async () => {
    const resolved = await waitFor('web\'s resolvedIPs beside Otterize\'s status', async () => {
      const web = (await managedIntents()).find((i) => i.metadata.namespace === 'e2e-shop' && i.metadata.name === 'web');
      const entry = web?.status?.resolvedIPs?.find((r) => r.dns === 'api.payments.example');
      return web && appliedByOtterize(web) && entry?.ips.length ? entry : undefined;
    }, 30_000);
    const egress = await waitFor('an egress rule from Otterize with the resolved IP', async () => (await otterizePolicies(admin())).find((p) =>
      (p.spec?.egress ?? []).some((rule) => (rule.to ?? []).some((peer) => resolved.ips.some((ip) => peer.ipBlock?.cidr === `${ip}/32`)))), 30_000);
    expect(egress.metadata?.namespace).to.equal('e2e-shop');
    expect(egress.spec?.policyTypes).to.include('Egress');
  });

  /** EVIDENCE_INTERVAL_SECONDS as the release runs the operator (the chart's operator.evidenceIntervalSeconds), in ms. */
  const evidenceIntervalMs = async (): Promise<number> => {
    const operator = await admin().makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: observationNamespace, name: 'network-mapper-operator' });
    const value = operator.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'EVIDENCE_INTERVAL_SECONDS')?.value;
    if (!value) throw new Error('the operator\'s Deployment sets no EVIDENCE_INTERVAL_SECONDS');
    return Number(value) * 1000;
  };

  it('makes no write over a steady minute but evidence refreshes that fell due, although Otterize keeps its finalizer and status and labels pods', async function () {
    this.timeout(150_000);
    // An active client's evidence (its targets' last seen) is written again once
    // EVIDENCE_INTERVAL_SECONDS (300 s) have passed since its last write (docs/operator.md,
    // "Evidence"), so a minute of a run longer than that can hold such refreshes, depending on
    // where it falls: each once per object, its spec unchanged. Anything else (a second write of
    // an object, a write before it was due) would be a reaction to Otterize's writes.
    const interval = await evidenceIntervalMs();
    const snapshot = async (): Promise<Map<string, { spec: string; writtenAt: string }>> => new Map((await managedAnnotated()).map((i) =>
      [`${i.metadata.namespace}/${i.metadata.name}`, { spec: canonicalJson(i.spec), writtenAt: i.metadata.annotations?.[evidenceWrittenAtAnnotation] ?? '' }]));
    // The snapshots outside the metric's readings: a write between them counts as a refresh, not as a write.
    const first = await snapshot();
    const before = await operatorMetric('netmap_writes_total', { resource: 'clientintents' });
    const since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const writes = (await operatorMetric('netmap_writes_total', { resource: 'clientintents' })) - before;
    const second = await snapshot();
    const refreshed: string[] = [];
    const problems: string[] = [];
    for (const key of new Set([...first.keys(), ...second.keys()])) {
      const [was, is] = [first.get(key), second.get(key)];
      if (!was || !is) {
        problems.push(`${key} ${was ? 'deleted' : 'created'}`);
        continue;
      }
      if (was.spec !== is.spec) problems.push(`${key}: spec changed`);
      if (was.writtenAt === is.writtenAt) continue;
      refreshed.push(key);
      const after = Date.parse(is.writtenAt) - Date.parse(was.writtenAt);
      // Second precision on both sides.
      if (!(after >= interval - 1000)) problems.push(`${key}: written ${after / 1000} s after its previous write (${was.writtenAt} -> ${is.writtenAt}), before its evidence was due`);
    }
    console.log(`local-cluster: writes of ours in the steady minute: ${writes}; evidence refreshes due in it: ${refreshed.join(', ') || 'none'}`);
    const log = async (): Promise<string> => `; ClientIntents writes logged:\n${describeWrites(await loggedIntentsWrites(admin(), observationNamespace, since))}`;
    expect(problems, problems.length > 0 ? await log() : '').to.deep.equal([]);
    expect(writes, writes > refreshed.length ? `more writes than objects refreshed${await log()}` : '').to.be.at.most(refreshed.length);
    for (const item of await managedIntents()) {
      expect(appliedByOtterize(item), `${item.metadata.namespace}/${item.metadata.name} still applied`).to.equal(true);
      expect(item.metadata.finalizers).to.include(otterizeFinalizer);
    }
  });

  it('fails closed while Otterize\'s webhook server is down, and lands the pending ClientIntents once it is back', async function () {
    this.timeout(240_000);
    const apps = admin().makeApiClient(AppsV1Api);
    const scale = (replicas: number) => apps.patchNamespacedDeploymentScale({ name: webhookServer, namespace: otterizeNamespace, body: { spec: { replicas } } }, mergePatch);
    await scale(0);
    try {
      await waitFor('the webhook server\'s pod gone', async () =>
        (await admin().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: otterizeNamespace, labelSelector: `app=${webhookServer}` })).items.length === 0, 30_000);
      // With no webhook endpoint the API server fails the call closed: 500 InternalError ("failed calling webhook").
      const refusedBefore = (await operatorRefusals())[webhookDownCode] ?? 0;
      // Under Otterize's enforcement a new client's call to a server it protects is refused, and
      // a refused call is no evidence; a client without ClientIntents has no egress policy, so
      // its call to the internet goes through and is mapped.
      await applyManifests(admin(), deployment('reporter', 'e2e-shop', { TARGETS: 'http://api.payments.example/' }));
      await waitFor(`a ClientIntents write refused with ${webhookDownCode}`, async () => ((await operatorRefusals())[webhookDownCode] ?? 0) > refusedBefore, 60_000);
    } finally {
      await scale(1);
    }
    await waitForOtterizeReady(admin(), 90_000);
    const reporter = await waitFor('the pending ClientIntents, applied by Otterize', async () => {
      const [item] = await workloadIntents('e2e-shop', 'reporter');
      return item && appliedByOtterize(item) ? item : undefined;
    }, 90_000);
    // Otterize puts no finalizer on a ClientIntents with only internet targets (seen 2026-12-07).
    expect(reporter.spec.targets).to.deep.equal([{ internet: { domains: ['api.payments.example'], ports: [80] } }]);
  });

  it('respects a ClientIntents a user wrote: no second object for that workload, and an Event for what it lacks', async function () {
    this.timeout(180_000);
    const refusedBefore = await operatorRefusals();
    // Enforced, the user's ClientIntents gives auditor an egress policy that refuses every call it
    // lacks, and a refused call is never observed. Otterize's operator is paused (its webhook
    // stays up and would refuse a second object) so that the undeclared call happens, as before
    // a team turns enforcement on.
    const apps = admin().makeApiClient(AppsV1Api);
    const scaleOtterize = (replicas: number) => apps.patchNamespacedDeploymentScale({ name: otterizeOperator, namespace: otterizeNamespace, body: { spec: { replicas } } }, mergePatch);
    await scaleOtterize(0);
    try {
      await waitFor('Otterize\'s operator pod gone', async () =>
        (await admin().makeApiClient(CoreV1Api).listNamespacedPod({ namespace: otterizeNamespace })).items.every((p) => !p.metadata?.name?.startsWith(`${otterizeOperator}-`)), 60_000);
      await userIntentsWithUndeclaredCall(refusedBefore);
    } finally {
      await scaleOtterize(1);
      await waitForOtterizeReady(admin(), 90_000);
    }
  });

  const userIntentsWithUndeclaredCall = async (refusedBefore: Record<string, number>): Promise<void> => {
    await custom().createNamespacedCustomObject({
      ...intentsApi, namespace: 'e2e-shop', fieldValidation: 'Strict',
      body: {
        apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name: 'auditor-by-hand', namespace: 'e2e-shop' },
        spec: { workload: { name: 'auditor', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'payments.e2e-billing', kind: 'Deployment' } }] },
      },
    });
    // api's ingress policy (Otterize made it before the pause) refuses auditor; the internet does not.
    await applyManifests(admin(), deployment('auditor', 'e2e-shop', { TARGETS: 'http://api.payments.example/' }));
    const event = await waitFor('the ObservedTargetsMissing Event', async () =>
      (await admin().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'e2e-shop' })).items
        .find((e) => e.reason === 'ObservedTargetsMissing' && e.involvedObject.name === 'auditor-by-hand'), 60_000);
    expect(event.message).to.contain('api.payments.example');
    expect((await workloadIntents('e2e-shop', 'auditor')).map((i) => i.metadata.name)).to.deep.equal(['auditor-by-hand']);
    expect(await operatorRefusals(), 'no second object tried (the webhook would refuse it)').to.deep.equal(refusedBefore);
  };

  for (const apiVersion of ['v2beta1', 'v1alpha3']) {
    it(`has \`kubectl netmap export --output-type dir --api-version ${apiVersion}\` accepted by kubectl apply -k under strict validation through Otterize's webhooks`, () => {
      const out = mkdtempSync(join(tmpdir(), `netmap-e2e-export-${apiVersion}-`));
      try {
        const kubeconfig = cluster().controlPlane.kubeconfigPath;
        const exported = spawnSync(process.execPath, [cliMain, 'export', '-o', out, '--output-type', 'dir', '--api-version', apiVersion, '--kubeconfig', kubeconfig], { encoding: 'utf8' });
        expect(exported.status, exported.stderr).to.equal(0);
        expect(readdirSync(out)).to.include('kustomization.yaml');
        const apply = spawnSync(controlPlaneBinary(), ['kubectl', '--kubeconfig', kubeconfig, 'apply', '-k', out, '--dry-run=server', '--validate=strict'], { encoding: 'utf8' });
        expect(apply.status, `${apply.stdout}\n${apply.stderr}`).to.equal(0);
        expect(apply.stdout).to.match(/clientintents\.k8s\.otterize\.com\/web (configured|unchanged) \(server dry run\)/);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
}
