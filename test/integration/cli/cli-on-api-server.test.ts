import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { exitCodes } from '../../../src/cli/core/exit-codes.js';
import { clientIntentsSpec } from '../../../src/crds/client-intents.js';
import { startControlPlane } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { grantNamespaced, runCliProcess, type CliRun } from './cli-process.js';

const shop = 'cli-shop';
const billing = 'cli-billing';
const empty = 'cli-empty';
const restored = 'cli-restored';
const managed = { 'app.kubernetes.io/managed-by': 'network-mapper' };
const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };

function intents(namespace: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = { labels: managed }): Record<string, unknown> {
  return { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name, namespace, ...metadata }, spec };
}

const objects = [
  intents(shop, 'checkout', {
    workload: { name: 'checkout', kind: 'Deployment' },
    targets: [
      { kubernetes: { name: 'cart', kind: 'Deployment' } },
      { kubernetes: { name: `payments.${billing}`, kind: 'StatefulSet' } },
      { service: { name: 'kubernetes.default' } },
      { internet: { domains: ['api.stripe.com'], ports: [443] } },
    ],
  }, { labels: managed, annotations: { 'netmap.dev/last-seen': '2026-11-26T04:00:00Z' } }),
  intents(shop, 'reporter', { workload: { name: 'reporter' }, targets: [{ kubernetes: { name: `payments.${billing}` } }, { internet: { ips: ['203.0.113.9'] } }] }),
  intents(billing, 'payments', { workload: { name: 'payments', kind: 'StatefulSet' }, targets: [{ service: { name: 'kubernetes.default' } }] }),
  // Written by a user, not by network-mapper: only with --all.
  intents(billing, 'audit-intents', { workload: { name: 'audit', kind: 'CronJob' }, targets: [{ kubernetes: { name: 'payments', kind: 'StatefulSet' } }] }, { labels: { team: 'finance' } }),
];

const shopList = [
  'checkout in namespace cli-shop calls:',
  '  - payments in namespace cli-billing',
  '  - cart in namespace cli-shop',
  '  - kubernetes in namespace default (Service)',
  '  - internet: api.stripe.com on port 443',
  'reporter in namespace cli-shop calls:',
  '  - payments in namespace cli-billing',
  '  - internet: 203.0.113.9',
  '',
].join('\n');
const billingList = 'payments in namespace cli-billing calls:\n  - kubernetes in namespace default (Service)\n';
const auditList = 'audit in namespace cli-billing calls:\n  - payments in namespace cli-billing\n';

describe('kubectl netmap against a real API server', function () {
  this.timeout(120_000);
  let kubeconfigPath: string;
  let admin: KubeConfig;
  let workDir: string;
  const env = (): Record<string, string> => ({ KUBECONFIG: kubeconfigPath });
  const cli = (...args: string[]): Promise<CliRun> => runCliProcess(args, env());

  before(async () => {
    const controlPlane = await sharedControlPlane();
    kubeconfigPath = controlPlane.kubeconfigPath;
    admin = controlPlane.admin();
    await installCrds(admin);
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of [shop, billing, empty, restored]) await core.createNamespace({ body: { metadata: { name } } });
    const custom = admin.makeApiClient(CustomObjectsApi);
    for (const body of objects) {
      const namespace = (body.metadata as { namespace: string }).namespace;
      await custom.createNamespacedCustomObject({ ...ci, namespace, body, fieldValidation: 'Strict' });
    }
    workDir = mkdtempSync(join(tmpdir(), 'netmap-cli-'));
  });

  after(async () => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    // The control plane is shared: leave no ClientIntents labelled as the operator's for the
    // operator tests that run later to adopt.
    const custom = admin.makeApiClient(CustomObjectsApi);
    for (const namespace of [shop, billing, empty, restored]) await custom.deleteCollectionNamespacedCustomObject({ ...ci, namespace });
  });

  describe('list', () => {
    it('prints the managed ClientIntents of the -n namespaces, sorted, in the reference text format', async () => {
      const run = await cli('list', '-n', `${shop},${billing}`);
      expect(run).to.deep.equal({ code: 0, stdout: billingList + shopList, stderr: '' });
    });

    it('lists all namespaces by default (other tests may add their own ClientIntents)', async () => {
      const run = await cli('list');
      expect(run.code).to.equal(0);
      expect(run.stdout).to.include(billingList + shopList);
      expect(run.stdout).not.to.include('audit in namespace');
    });

    it('adds user-managed ClientIntents with --all, and filters by server', async () => {
      expect(await cli('list', '--all', '-n', billing)).to.deep.equal({ code: 0, stdout: auditList + billingList, stderr: '' });
      const run = await cli('list', '--all', '-n', billing, '-n', shop, '--server', `payments.${billing}`);
      expect(run.stdout).to.equal(
        auditList +
          'checkout in namespace cli-shop calls:\n  - payments in namespace cli-billing\n' +
          'reporter in namespace cli-shop calls:\n  - payments in namespace cli-billing\n',
      );
    });

    it('exits 0 with a hint on stderr when nothing is found', async () => {
      const run = await cli('list', '-n', empty);
      expect(run.code).to.equal(exitCodes.ok);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.equal(
        'No ClientIntents managed by network-mapper found in namespace cli-empty. Is network-mapper running, and has it seen traffic yet? Add --all to include ClientIntents written by others.\n',
      );
    });

    it('reads the kubeconfig given by --kubeconfig and --context', async () => {
      const run = await runCliProcess(['list', '-n', billing, '--kubeconfig', kubeconfigPath, '--context', admin.getCurrentContext()], {});
      expect(run).to.deep.equal({ code: 0, stdout: billingList, stderr: '' });
      const bad = await runCliProcess(['list', '--kubeconfig', kubeconfigPath, '--context', 'nope'], {});
      expect(bad.code).to.equal(exitCodes.usage);
      expect(bad.stderr).to.match(/^error: --context: no context "nope" in /);
    });
  });

  describe('export', () => {
    it('writes YAML v2beta1 to stdout without bookkeeping', async () => {
      const run = await cli('export', '-n', shop);
      expect(run.code).to.equal(0);
      expect(run.stdout).to.equal(
        [
          'apiVersion: k8s.otterize.com/v2beta1',
          'kind: ClientIntents',
          'metadata:',
          '  name: checkout',
          '  namespace: cli-shop',
          'spec:',
          '  workload:',
          '    name: checkout',
          '    kind: Deployment',
          '  targets:',
          '    - kubernetes:',
          '        name: cart',
          '        kind: Deployment',
          '    - kubernetes:',
          '        name: payments.cli-billing',
          '        kind: StatefulSet',
          '    - service:',
          '        name: kubernetes.default',
          '    - internet:',
          '        domains:',
          '          - api.stripe.com',
          '        ports:',
          '          - 443',
          '---',
          'apiVersion: k8s.otterize.com/v2beta1',
          'kind: ClientIntents',
          'metadata:',
          '  name: reporter',
          '  namespace: cli-shop',
          'spec:',
          '  workload:',
          '    name: reporter',
          '  targets:',
          '    - kubernetes:',
          '        name: payments.cli-billing',
          '    - internet:',
          '        ips:',
          '          - 203.0.113.9',
          '',
        ].join('\n'),
      );
    });

    it('writes JSON v1alpha3 to a file', async () => {
      const file = join(workDir, 'intents.json');
      const run = await cli('export', '-n', billing, '--all', '--format', 'json', '--api-version', 'v1alpha3', '-o', file);
      expect(run).to.deep.equal({ code: 0, stdout: '', stderr: `wrote 2 ClientIntents to ${file}\n` });
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal([
        {
          kind: 'ClientIntents',
          apiVersion: 'k8s.otterize.com/v1alpha3',
          metadata: { name: 'audit-intents', namespace: billing, labels: { team: 'finance' }, creationTimestamp: null },
          spec: { service: { name: 'audit', kind: 'CronJob' }, calls: [{ name: 'payments', kind: 'StatefulSet' }] },
          status: { upToDate: false, observedGeneration: 0 },
        },
        {
          kind: 'ClientIntents',
          apiVersion: 'k8s.otterize.com/v1alpha3',
          metadata: { name: 'payments', namespace: billing, creationTimestamp: null },
          spec: { service: { name: 'payments', kind: 'StatefulSet' }, calls: [{ name: 'svc:kubernetes.default' }] },
          status: { upToDate: false, observedGeneration: 0 },
        },
      ]);
    });

    it('writes a directory that the API server accepts back, object by object', async () => {
      const dir = join(workDir, 'gitops');
      const run = await cli('export', '-n', `${shop},${billing}`, '-o', dir, '--output-type', 'dir');
      expect(run.code).to.equal(0);
      expect(readdirSync(dir).sort()).to.deep.equal(['checkout.cli-shop.yaml', 'kustomization.yaml', 'payments.cli-billing.yaml', 'reporter.cli-shop.yaml']);
      expect(parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))).to.deep.equal({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['checkout.cli-shop.yaml', 'payments.cli-billing.yaml', 'reporter.cli-shop.yaml'],
      });
      const custom = admin.makeApiClient(CustomObjectsApi);
      for (const file of ['checkout.cli-shop.yaml', 'payments.cli-billing.yaml', 'reporter.cli-shop.yaml']) {
        const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
        expect(docs, file).to.have.length(1);
        const object = docs[0]!.toJS() as { metadata: Record<string, unknown>; spec: unknown };
        expect(clientIntentsSpec.safeParse(object.spec).success, file).to.equal(true);
        expect(Object.keys(object.metadata)).to.deep.equal(['name', 'namespace']);
        // Re-applied elsewhere with strict field validation: the export is a complete, valid object.
        object.metadata.namespace = restored;
        await custom.createNamespacedCustomObject({ ...ci, namespace: restored, body: object, fieldValidation: 'Strict' });
      }
      const back = await cli('list', '--all', '-n', restored);
      const expected = (billingList + shopList).replaceAll('in namespace cli-shop calls', `in namespace ${restored} calls`).replaceAll('in namespace cli-billing calls', `in namespace ${restored} calls`);
      // Same-namespace names now resolve to the restored namespace: compare the client lines only.
      expect(back.stdout.split('\n').filter((l) => l.endsWith('calls:')).sort()).to.deep.equal(expected.split('\n').filter((l) => l.endsWith('calls:')).sort());
    });

    it('refuses a directory as -o without --output-type dir (usage error)', async () => {
      const run = await cli('export', '-o', workDir);
      expect(run.code).to.equal(exitCodes.usage);
      expect(run.stderr).to.equal(`error: -o ${workDir} is a directory: add --output-type dir to write one file per ClientIntents\n`);
    });
  });

  describe('errors scripts can rely on', () => {
    it('exits 2 on a bad flag, with the command to get help', async () => {
      const run = await cli('export', '--format', 'xml');
      expect(run).to.deep.equal({
        code: exitCodes.usage,
        stdout: '',
        stderr: 'error: --format: "xml" is not one of yaml, json, networkpolicy\nRun \'kubectl netmap export --help\' for usage.\n',
      });
    });

    it('exits 3 when the cluster is unreachable, naming the server', async () => {
      const port = await closedPort();
      const file = join(workDir, 'closed.kubeconfig');
      writeFileSync(file, kubeconfigFor(`https://127.0.0.1:${port}`, 'token: nothing'));
      const run = await runCliProcess(['list'], { KUBECONFIG: file });
      expect(run.code).to.equal(exitCodes.unreachable);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.equal(
        `error: cannot reach the Kubernetes API server at https://127.0.0.1:${port} (ECONNREFUSED). Is the cluster running, and is this the right kubeconfig/context?\n`,
      );
    });

    it('exits 4 when the ClientIntents CRD is not installed', async () => {
      const bare = await startControlPlane();
      try {
        const run = await runCliProcess(['export'], { KUBECONFIG: bare.kubeconfigPath });
        expect(run.code).to.equal(exitCodes.crdMissing);
        expect(run.stderr).to.include('Otterize Intents Operator / network-mapper ClientIntents CRD is not installed');
        expect(run.stderr).to.include('kubectl create -f config/crd/optional/');
        expect(run.stderr.split('\n')).to.have.length(2);
      } finally {
        await bare.stop();
      }
    });

    it('exits 5 when RBAC forbids listing, saying which verb and resource', async () => {
      const viewer = await (await sharedControlPlane()).serviceAccount(shop, 'cli-viewer');
      const file = join(workDir, 'viewer.kubeconfig');
      writeFileSync(file, viewer.exportConfig());
      const all = await runCliProcess(['list'], { KUBECONFIG: file });
      expect(all.code).to.equal(exitCodes.forbidden);
      expect(all.stderr).to.match(/^error: forbidden: cannot list clientintents.k8s.otterize.com in all namespaces \(.*system:serviceaccount:cli-shop:cli-viewer.*\)\. Check with: kubectl auth can-i list clientintents.k8s.otterize.com -A\n$/);
      const one = await runCliProcess(['export', '-n', shop], { KUBECONFIG: file });
      expect(one.code).to.equal(exitCodes.forbidden);
      expect(one.stderr).to.include('cannot list clientintents.k8s.otterize.com in namespace cli-shop');
      expect(one.stderr).not.to.match(/authorization|bearer/i);
    });

    it('needs only namespaced RBAC with -n', async () => {
      const reader = await (await sharedControlPlane()).serviceAccount(shop, 'cli-reader');
      await grantNamespaced(admin, shop, 'cli-reader', 'intents-reader', [{ apiGroups: ['k8s.otterize.com'], resources: ['clientintents'], verbs: ['list'] }]);
      const file = join(workDir, 'reader.kubeconfig');
      writeFileSync(file, reader.exportConfig());
      expect(await runCliProcess(['list', '-n', shop], { KUBECONFIG: file })).to.deep.equal({ code: 0, stdout: shopList, stderr: '' });
      expect((await runCliProcess(['list', '-n', `${shop},${billing}`], { KUBECONFIG: file })).code).to.equal(exitCodes.forbidden);
    });

    it('exits 2 on an unreadable kubeconfig and 1 on an unwritable output file', async () => {
      const missing = join(workDir, 'missing.kubeconfig');
      expect(await runCliProcess(['list'], { KUBECONFIG: missing })).to.deep.equal({
        code: exitCodes.usage,
        stdout: '',
        stderr: `error: cannot load the kubeconfig $KUBECONFIG (${missing}): ENOENT\n`,
      });
      const unwritable = join(workDir, 'no-such-dir', 'out.yaml');
      expect(await cli('export', '-n', billing, '-o', unwritable)).to.deep.equal({
        code: exitCodes.unexpected,
        stdout: '',
        stderr: `error: cannot write ${unwritable}: ENOENT\n`,
      });
    });
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function kubeconfigFor(server: string, user: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    `users: [{name: u, user: {${user}}}]`,
    'contexts: [{name: x, context: {cluster: c, user: u}}]',
    'current-context: x',
    '',
  ].join('\n');
}
