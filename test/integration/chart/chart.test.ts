import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { operatorConfigSchema } from '../../../src/operator/core/operator-config.js';
import { parseEnvConfig } from '../../../src/shared/env-config.js';
import { snifferConfigSchema } from '../../../src/sniffer/core/sniffer-config.js';
import { stableForAnnotation } from '../../../src/cli/core/readiness.js';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { chartDir, runHelm, runKubectl, type CommandResult } from '../../support/helm.js';
import { apiExtensionsFor, dryRunCreate, objectIds, realApply, type Manifest } from './apply.js';

const ciDir = join(chartDir, 'ci');
const valueSets = ['(defaults)', ...readdirSync(ciDir).filter((f) => f.endsWith('-values.yaml')).sort()];
const clientIntentsCrd = 'CustomResourceDefinition//clientintents.k8s.otterize.com';

function succeeded(result: CommandResult, what: string): string {
  expect(result.status, `${what} failed:\n${result.stderr}`).to.equal(0);
  return result.stdout;
}

function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((object): object is Manifest => object !== null && typeof object === 'object');
}

/** Read by the process, not by the configuration schemas: src/shared/logger.ts and Node itself. */
const processVariables = ['LOG_LEVEL', 'NODE_OPTIONS'];

interface Container {
  env: { name: string; value?: string }[];
  securityContext?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The one container of the Deployment or DaemonSet, with the pod's seccomp profile moved in. */
function podContainer(objects: readonly Manifest[], kind: string): Container {
  const owner = objects.find((o) => o.kind === kind)!;
  const pod = (owner.spec as { template: { spec: { containers: Container[]; securityContext?: { seccompProfile?: unknown } } } }).template.spec;
  const container = structuredClone(pod.containers[0]!);
  const seccompProfile = pod.securityContext?.seccompProfile;
  if (seccompProfile) container.securityContext = { ...container.securityContext, seccompProfile };
  return container;
}

function valuesArgs(set: string): string[] {
  return set === '(defaults)' ? [] : ['--values', join(ciDir, set)];
}

function template(release: string, namespace: string, extra: readonly string[] = []): CommandResult {
  return runHelm(['template', release, chartDir, '--namespace', namespace, ...extra]);
}

/*
 * The chart and config/default against a real kube-apiserver of their own (so that this file owns
 * every CRD): each render is applied with dryRun=All and fieldValidation=Strict after its CRDs and
 * namespaces were created for real. ServiceMonitor, PrometheusRule and SecurityContextConstraints
 * have no real CRD here (the Prometheus Operator and OpenShift are not on this machine): minimal
 * CRDs that preserve unknown fields stand in, so those three kinds are checked for their group,
 * version, kind, scope and metadata only, not for their fields.
 */
describe('charts/network-mapper and config/default on a real API server (real helm, kubectl kustomize)', function () {
  this.timeout(300_000);
  let controlPlane: ControlPlane;
  let kubeconfig: string;
  let admin: KubeConfig;
  const dryRun = (objects: readonly Manifest[], namespaces: readonly string[]) => dryRunCreate(admin, kubeconfig, objects, namespaces);

  before(async () => {
    controlPlane = await startControlPlane();
    kubeconfig = controlPlane.kubeconfigPath;
    admin = controlPlane.admin();
    realApply(kubeconfig, apiExtensionsFor(['ServiceMonitor', 'PrometheusRule', 'SecurityContextConstraints']));
  });

  after(async () => {
    await controlPlane?.stop();
  });

  it('passes helm lint with the default values and every ci/*-values.yaml', () => {
    for (const set of valueSets) {
      const out = succeeded(runHelm(['lint', chartDir, '--strict', ...valuesArgs(set)]), `helm lint ${set}`);
      expect(out, set).to.match(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  for (const [index, set] of valueSets.entries()) {
    it(`renders with ${set}, and the API server accepts every object under strict field validation`, async () => {
      const namespace = `chart-values-${index}`;
      const objects = parseManifests(succeeded(template('netmap-ci', namespace, valuesArgs(set)), `helm template ${set}`));
      expect(objects.length, set).to.be.greaterThan(10);
      const accepted = await dryRun(objects, [namespace]);
      expect(accepted, set).to.deep.equal(objectIds(objects.filter((o) => o.kind !== 'CustomResourceDefinition')));
    });
  }

  it('the strict check refuses a misspelt field (so the renders above were really checked)', async () => {
    const [daemonSet] = parseManifests(succeeded(template('netmap-ci', 'chart-values-0', ['--show-only', 'templates/sniffer-daemonset.yaml']), 'helm template'));
    const spec = (daemonSet!.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    spec.hostPid = true;
    const refused = await dryRun([daemonSet!], ['chart-values-0']).then(() => 'accepted', (error: Error) => error.message);
    expect(refused).to.match(/DaemonSet netmap-ci-network-mapper-sniffer refused \(400\): .*unknown field "spec.template.spec.hostPid"/);
  });

  it('refuses bad values with a message naming the key', () => {
    const refused = (set: string[], pattern: RegExp) => {
      const result = template('netmap-ci', 'bad-values', set);
      expect(result.status, result.stdout).to.not.equal(0);
      expect(result.stderr).to.match(pattern);
    };
    refused(['--set', 'operator.replica=3'], /values don't meet the specifications of the schema[\s\S]*operator[\s\S]*additional properties 'replica' not allowed/);
    refused(['--set', 'clientIntentsCRD=always'], /clientIntentsCRD[\s\S]*value must be one of 'auto', 'install', 'skip'/);
    refused(['--set', 'operator.replicas=-1'], /operator\/replicas[\s\S]*minimum: got -1, want 0/);
    refused(['--set', 'sniffer.windowSeconds=0'], /sniffer\/windowSeconds[\s\S]*minimum: got 0, want 1/);
    refused(['--set', 'operator.leaderElection.enabled=false'], /operator.leaderElection.enabled=false needs operator.replicas of at most 1/);
    refused(['--set', 'operator.readinessStableFor=a week'], /operator\/readinessStableFor[\s\S]*does not match pattern/);
  });

  it('writes operator.readinessStableFor on the operator Deployment, where kubectl netmap reads it', () => {
    const rendered = template('netmap-ci', 'chart-values-0', ['--set', 'operator.readinessStableFor=36h']);
    expect(rendered.status, rendered.stderr).to.equal(0);
    const deployment = parseAllDocuments(rendered.stdout).map((d) => d.toJSON() as { kind?: string; metadata?: { annotations?: Record<string, string> } }).find((o) => o?.kind === 'Deployment');
    expect(deployment?.metadata?.annotations).to.deep.equal({ [stableForAnnotation]: '36h' });
  });

  it('clientIntentsCRD=auto installs ours where none exists, keeps it on upgrade and uninstall, and never renders over another', () => {
    const server = ['--dry-run=server', '--kubeconfig', kubeconfig];
    // The renders above created the chart's CRDs for real, without Helm's annotations.
    const crds = ['clientintents.k8s.otterize.com', 'networkobservations.netmap.dev'];
    succeeded(runKubectl(['--kubeconfig', kubeconfig, 'delete', 'crd', ...crds, '--ignore-not-found', '--wait']), 'delete crds');
    const ids = (result: CommandResult, what: string) => objectIds(parseManifests(succeeded(result, what)));
    expect(ids(template('first', 'chart-auto', server), 'auto, no CRD')).to.include(clientIntentsCrd);

    // A real release: its CRD carries this release's Helm annotations.
    const installed = succeeded(runHelm(['install', 'first', chartDir, '--namespace', 'chart-auto', '--create-namespace', '--kubeconfig', kubeconfig]), 'helm install');
    expect(installed.trimEnd(), 'NOTES.txt').to.match(/NOTES:\nnetwork-mapper 0\.1\.0 is installed as release first in namespace chart-auto[\s\S]*kubectl netmap list$/);
    expect(ids(runHelm(['get', 'manifest', 'first', '--namespace', 'chart-auto', '--kubeconfig', kubeconfig]), 'get manifest')).to.include(clientIntentsCrd);
    succeeded(runHelm(['upgrade', 'first', chartDir, '--namespace', 'chart-auto', '--kubeconfig', kubeconfig]), 'helm upgrade');
    expect(ids(runHelm(['get', 'manifest', 'first', '--namespace', 'chart-auto', '--kubeconfig', kubeconfig]), 'get manifest'), 'after upgrade').to.include(clientIntentsCrd);

    // Another release does not touch it: auto and skip render nothing for it, install fails.
    expect(ids(template('second', 'chart-other', server), 'auto, foreign CRD')).to.not.include(clientIntentsCrd);
    expect(ids(template('second', 'chart-other', [...server, '--set', 'clientIntentsCRD=skip']), 'skip')).to.not.include(clientIntentsCrd);
    const install = template('second', 'chart-other', [...server, '--set', 'clientIntentsCRD=install']);
    expect(install.status).to.not.equal(0);
    expect(install.stderr).to.match(/already has a ClientIntents CRD \(clientintents.k8s.otterize.com\) that this release did not create/);

    succeeded(runHelm(['uninstall', 'first', '--namespace', 'chart-auto', '--kubeconfig', kubeconfig]), 'helm uninstall');
    const kept = runKubectl(['--kubeconfig', kubeconfig, 'get', 'crd', ...crds, '-o', 'name']);
    expect(succeeded(kept, 'get crd').trim().split('\n'), 'kept by helm.sh/resource-policy').to.have.length(2);

    // A CRD created by hand (as the README says for config/crd/optional, or by Otterize) is foreign too.
    succeeded(runKubectl(['--kubeconfig', kubeconfig, 'delete', 'crd', 'clientintents.k8s.otterize.com', '--wait']), 'delete crd');
    succeeded(runKubectl(['--kubeconfig', kubeconfig, 'create', '-f', 'config/crd/optional/k8s.otterize.com_clientintents.yaml']), 'create crd');
    expect(ids(template('first', 'chart-auto', server), 'auto, hand-made CRD')).to.not.include(clientIntentsCrd);
  });

  it('kubectl apply -k config/default is accepted likewise and installs the same kinds and names as the chart defaults', async () => {
    const kustomized = parseManifests(succeeded(runKubectl(['kustomize', 'config/default']), 'kubectl kustomize config/default'));
    const accepted = await dryRun(kustomized, []);
    expect(accepted).to.deep.equal(objectIds(kustomized.filter((o) => o.kind !== 'CustomResourceDefinition' && o.kind !== 'Namespace')));

    const chart = objectIds(parseManifests(succeeded(template('network-mapper', 'network-mapper'), 'helm template')));
    const kustomize = objectIds(kustomized);
    // The chart installs into the release namespace (helm install --create-namespace); the
    // kustomization never installs the ClientIntents CRD (README: kubectl create, by hand).
    expect(kustomize.filter((id) => !chart.includes(id))).to.deep.equal(['Namespace//network-mapper']);
    expect(chart.filter((id) => !kustomize.includes(id))).to.deep.equal([clientIntentsCrd]);
  });

  it("sets only variables the programs read, valid for their schemas, and the same containers as config/", () => {
    const kustomized = parseManifests(succeeded(runKubectl(['kustomize', 'config/default']), 'kubectl kustomize config/default'));
    const schemas = { Deployment: operatorConfigSchema, DaemonSet: snifferConfigSchema };
    for (const set of valueSets) {
      const rendered = parseManifests(succeeded(template('network-mapper', 'network-mapper', valuesArgs(set)), `helm template ${set}`));
      for (const kind of ['Deployment', 'DaemonSet'] as const) {
        const container = podContainer(rendered, kind);
        const env: Record<string, string> = {};
        for (const variable of container.env) {
          expect([...Object.keys(schemas[kind].shape), ...processVariables], `${set} ${kind}`).to.include(variable.name);
          env[variable.name] = variable.value ?? 'network-mapper';
        }
        expect(() => parseEnvConfig(schemas[kind], env), `${set} ${kind}`).to.not.throw();
        // With the default values, the chart's container is config/'s, field for field.
        if (set === '(defaults)') expect(container, kind).to.deep.equal(podContainer(kustomized, kind));
      }
    }
  });

  it('config/prometheus adds what serviceMonitor.enabled adds to the chart, and is accepted likewise', async () => {
    const prometheus = parseManifests(succeeded(runKubectl(['kustomize', 'config/prometheus']), 'kubectl kustomize config/prometheus'));
    expect(await dryRun(prometheus, ['network-mapper'])).to.deep.equal(objectIds(prometheus));
    const plain = objectIds(parseManifests(succeeded(template('network-mapper', 'network-mapper'), 'helm template')));
    const monitored = objectIds(parseManifests(succeeded(template('network-mapper', 'network-mapper', ['--set', 'serviceMonitor.enabled=true']), 'helm template')));
    expect(monitored.filter((id) => !plain.includes(id))).to.deep.equal(objectIds(prometheus));
  });
});
