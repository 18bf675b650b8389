import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { KubeConfig } from '@kubernetes/client-node';
import { errorFields } from '../../../src/shared/logger.js';
import { customObjects, type CustomObjects } from '../../../src/shared/kube/custom-objects.js';
import { inClusterConfig } from '../../../src/shared/kube/in-cluster-config.js';
import { createKubeClient, type KubeClient } from '../../../src/shared/kube/kube-client.js';
import type { KubeClientConfig } from '../../../src/shared/kube/kube-client-config.js';
import { KubeApiError, KubeRequestError, KubeTimeoutError } from '../../../src/shared/kube/kube-errors.js';
import { loadKubeconfigFile } from '../../../src/shared/kube/kubeconfig-file.js';
import { loadKubeClientConfig } from '../../../src/shared/kube/load-kube-client-config.js';
import { errorCode } from '../../../src/sniffer/shell/reporting/api-errors.js';
import { installCrds } from '../../support/crds.js';
import type { ControlPlane } from '../../support/control-plane.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { snifferClientConfig } from '../../support/sniffer-kube.js';
import { snifferKubeConfig } from '../../support/sniffer-rbac.js';
import { apiServerAddress, startTcpProxy, throughProxy } from '../../support/tcp-proxy.js';
import { ensureNamespace, observationResource, retryTooManyRequests } from './observation-api.js';

const namespace = 'sniffer-kube-client';
const spec = { nodeName: 'node-k', windowStart: '2026-11-26T03:00:00Z', windowEnd: '2026-11-26T03:00:10Z' };
const observation = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'netmap.dev/v1alpha1',
  kind: 'NetworkObservation',
  metadata: { name, labels: { 'netmap.dev/node': 'node-k' } },
  spec: { ...spec, ...extra },
});

async function failureOf(request: Promise<unknown>): Promise<Error> {
  try {
    await request;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

const whoAmI = async (client: KubeClient): Promise<string> =>
  (
    await client.request<{ status: { userInfo: { username: string } } }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      timeoutMs: 5_000,
    })
  ).status.userInfo.username;

describe("the sniffer's Kubernetes client on a real API server", function () {
  this.timeout(60_000);
  let controlPlane: ControlPlane;
  let admin: KubeConfig;
  let adminConfig: KubeClientConfig;
  let sniffer: KubeConfig;
  let snifferToken: string;
  const clients: KubeClient[] = [];
  const dirs: string[] = [];
  const client = (config: KubeClientConfig, options?: Parameters<typeof createKubeClient>[1]): KubeClient => {
    const created = createKubeClient(config, options);
    clients.push(created);
    return created;
  };
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'netmap-kube-client-'));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    controlPlane = await sharedControlPlane();
    admin = controlPlane.admin();
    await installCrds(admin);
    await ensureNamespace(admin, namespace);
    sniffer = await snifferKubeConfig(controlPlane, namespace);
    snifferToken = sniffer.getCurrentUser()!.token!;
    adminConfig = (await loadKubeClientConfig({ KUBECONFIG: controlPlane.kubeconfigPath }))!;
  });

  after(() => {
    for (const c of clients) c.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("reads the control plane's admin kubeconfig (CA and client certificate inline) and authenticates with the certificate", async () => {
    expect(adminConfig.ca).to.not.equal(undefined);
    expect(adminConfig.clientCert).to.not.equal(undefined);
    expect(adminConfig.token).to.equal(undefined);
    const c = client(adminConfig);
    const service = await c.request<{ spec: { clusterIP: string } }>({ method: 'GET', path: '/api/v1/namespaces/default/services/kubernetes', timeoutMs: 5_000 });
    expect(service.spec.clusterIP).to.equal('10.96.0.1');
    expect(await whoAmI(c)).to.not.match(/^system:(anonymous|serviceaccount)/);
  });

  it('reads CA, certificate and key from files named relative to the kubeconfig', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.crt'), adminConfig.ca!);
    writeFileSync(join(dir, 'admin.crt'), adminConfig.clientCert!);
    writeFileSync(join(dir, 'admin.key'), adminConfig.clientKey!);
    writeFileSync(
      join(dir, 'config'),
      `apiVersion: v1
kind: Config
current-context: files
contexts: [{name: files, context: {cluster: local, user: admin, namespace: ${namespace}}}]
clusters: [{name: local, cluster: {server: "${adminConfig.server}", certificate-authority: ca.crt}}]
users: [{name: admin, user: {client-certificate: admin.crt, client-key: admin.key}}]
`,
    );
    const config = loadKubeconfigFile(join(dir, 'config'));
    expect(config.namespace).to.equal(namespace);
    expect(await whoAmI(client(config))).to.equal(await whoAmI(client(adminConfig)));
  });

  it('refuses a server whose certificate the configured CA did not sign, unless told to skip verification', async () => {
    const wrongCa = { ...adminConfig, ca: adminConfig.clientCert };
    const refused = await failureOf(whoAmI(client(wrongCa)));
    expect(refused).to.be.instanceOf(KubeRequestError);
    expect(refused.message).to.match(/^POST \/apis\/authentication.k8s.io\/v1\/selfsubjectreviews: .*(certificate|self.signed|issuer)/i);
    expect(errorCode(refused)).to.equal('network');
    const systemRoots = await failureOf(whoAmI(client({ ...adminConfig, ca: undefined })));
    expect(systemRoots).to.be.instanceOf(KubeRequestError);
    expect(await whoAmI(client({ ...adminConfig, ca: undefined, insecureSkipTlsVerify: true }))).to.equal(await whoAmI(client(adminConfig)));
  });

  it('authenticates with a ServiceAccount token (from a kubeconfig written by client-node)', async () => {
    const config = snifferClientConfig(sniffer);
    expect(config.token).to.equal(snifferToken);
    expect(config.clientCert).to.equal(undefined);
    expect(await whoAmI(client(config))).to.equal(`system:serviceaccount:${namespace}:network-mapper-sniffer`);
  });

  describe('API errors as the sniffer ServiceAccount', () => {
    let objects: CustomObjects;
    let c: KubeClient;
    before(() => {
      c = client(snifferClientConfig(sniffer));
      objects = customObjects(c, observationResource(namespace));
    });

    it('creates, then surfaces 409 AlreadyExists with code, reason and message, and gets the object', async () => {
      expect(await retryTooManyRequests(() => objects.create(observation('k1'), { fieldValidation: 'Strict', timeoutMs: 5_000 }))).to.equal(undefined, 'the answer is not kept');
      const conflict = await failureOf(objects.create(observation('k1'), { fieldValidation: 'Strict', timeoutMs: 5_000 }));
      expect(conflict).to.be.instanceOf(KubeApiError);
      expect(conflict).to.deep.include({ code: 409, reason: 'AlreadyExists' });
      expect((conflict as KubeApiError).body.message).to.equal('networkobservations.netmap.dev "k1" already exists');
      expect(errorFields(conflict)).to.deep.equal({ error: 'networkobservations.netmap.dev "k1" already exists', code: 409, reason: 'AlreadyExists' });
      expect(errorCode(conflict)).to.equal('409');
      const stored = await objects.get<{ spec: typeof spec }>('k1', { timeoutMs: 5_000 });
      expect(stored.spec).to.deep.equal({ ...spec, dnsAnswers: [], connections: [] }, 'as stored, with the schema defaults');
    });

    it('surfaces 404 NotFound', async () => {
      const missing = await failureOf(objects.get('no-such-object', { timeoutMs: 5_000 }));
      expect(missing).to.deep.include({ code: 404, reason: 'NotFound' });
      expect(errorFields(missing).error).to.equal('networkobservations.netmap.dev "no-such-object" not found');
    });

    it('surfaces 403 Forbidden for what RBAC does not allow', async () => {
      const forbidden = await failureOf(c.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/secrets`, timeoutMs: 5_000 }));
      expect(forbidden).to.deep.include({ code: 403, reason: 'Forbidden' });
      expect(errorFields(forbidden).error).to.match(/system:serviceaccount:sniffer-kube-client:network-mapper-sniffer" cannot list resource "secrets"/);
    });

    it('surfaces 422 Invalid and, under strict field validation, 400 for unknown fields', async () => {
      const invalid = await failureOf(objects.create(observation('k2', { connections: [{ clientIP: 'not-an-ip' }] }), { fieldValidation: 'Strict', timeoutMs: 5_000 }));
      expect(invalid).to.deep.include({ code: 422, reason: 'Invalid' });
      expect(errorFields(invalid).error).to.match(/NetworkObservation.netmap.dev "k2" is invalid/);
      const unknown = await failureOf(objects.create(observation('k3', { colour: 'blue' }), { fieldValidation: 'Strict', timeoutMs: 5_000 }));
      expect(unknown).to.deep.include({ code: 400, reason: 'BadRequest' });
      expect(errorFields(unknown).error).to.match(/unknown field "spec.colour"/);
    });

    it('keeps no headers or credentials in its errors', async () => {
      const error = await failureOf(objects.get('no-such-object', { timeoutMs: 5_000 }));
      const everything = JSON.stringify({ ...error, message: error.message, stack: error.stack });
      expect(everything).to.not.include(snifferToken);
      expect(everything.toLowerCase()).to.not.match(/audit-id|authorization|bearer|content-type/);
      expect(Object.keys(error).sort()).to.deep.equal(['body', 'code', 'method', 'name', 'path', 'reason']);
    });

    it('surfaces 401 for a token the API server does not accept', async () => {
      const bad = client({ ...snifferClientConfig(sniffer), token: 'not-a-token' });
      const unauthorized = await failureOf(whoAmI(bad));
      expect(unauthorized).to.deep.include({ code: 401, reason: 'Unauthorized' });
    });

    it('lists by label selector page by page', async () => {
      for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await objects.create(observation(name), { timeoutMs: 5_000 });
      await objects.create({ ...observation('other-node'), metadata: { name: 'other-node', labels: { 'netmap.dev/node': 'node-z' } } }, { timeoutMs: 5_000 });
      const names: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await objects.list<{ metadata: { name: string } }>({ labelSelector: 'netmap.dev/node=node-k', limit: 2, continue: token, timeoutMs: 5_000 });
        expect(page.items.length).to.be.at.most(2);
        names.push(...page.items.map((o) => o.metadata.name));
        token = page.continue;
        pages += 1;
      } while (token);
      expect(names.sort()).to.deep.equal(['k1', 'p1', 'p2', 'p3', 'p4', 'p5']);
      expect(pages).to.equal(3);
    });
  });

  describe('in the cluster: the ServiceAccount mount, with a token that rotates', () => {
    it('reads CA, namespace and token from the mount, and the token file again after the refresh interval and after a 401', async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'ca.crt'), adminConfig.ca!);
      writeFileSync(join(dir, 'namespace'), namespace);
      writeFileSync(join(dir, 'token'), snifferToken);
      const { host, port } = apiServerAddress(admin);
      const config = inClusterConfig({ KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(port) }, dir);
      expect(config.namespace).to.equal(namespace);
      // The refresh interval on a clock the test moves: no sleeping for the client's own timer.
      let now = 1_000_000;
      const c = client(config, { tokenRefreshMs: 60_000, now: () => now });
      expect(await whoAmI(c)).to.equal(`system:serviceaccount:${namespace}:network-mapper-sniffer`);

      writeFileSync(join(dir, 'token'), 'revoked-token');
      expect(await whoAmI(c), 'within the refresh interval the token read last is used').to.equal(`system:serviceaccount:${namespace}:network-mapper-sniffer`);
      now += 59_999;
      expect(await whoAmI(c), 'still within the refresh interval').to.equal(`system:serviceaccount:${namespace}:network-mapper-sniffer`);
      now += 1;
      expect(await failureOf(whoAmI(c))).to.deep.include({ code: 401 });

      const other = controlPlane.serviceAccount(namespace, 'rotated');
      writeFileSync(join(dir, 'token'), (await other).getCurrentUser()!.token!);
      expect(await whoAmI(c), 'a 401 makes the next request read the file again').to.equal(`system:serviceaccount:${namespace}:rotated`);
    });
  });

  describe('through a TCP proxy: slow and unreachable API servers', () => {
    it('gives up after its timeout, then works again on a reused keep-alive connection', async () => {
      const proxy = await startTcpProxy(apiServerAddress(sniffer));
      try {
        const c = client(snifferClientConfig(throughProxy(sniffer, proxy)));
        const objects = customObjects(c, observationResource(namespace));
        // Real time (a socket deadline), with a generous margin on a loaded machine: the answer comes
        // after 6 s, so giving up anywhere before 4.5 s is the deadline at work, not the answer.
        proxy.delayResponses(6_000);
        const started = Date.now();
        const timedOut = await failureOf(objects.get('k1', { timeoutMs: 400 }));
        const elapsed = Date.now() - started;
        expect(timedOut).to.be.instanceOf(KubeTimeoutError);
        expect(timedOut.message).to.equal(`GET /apis/netmap.dev/v1alpha1/namespaces/${namespace}/networkobservations/k1: no answer after 400 ms`);
        expect(errorCode(timedOut)).to.equal('timeout');
        expect(elapsed).to.be.within(380, 4_500);

        proxy.resume();
        const acceptedBefore = proxy.accepted;
        for (let i = 0; i < 5; i++) await objects.get('k1', { timeoutMs: 5_000 });
        expect(proxy.accepted - acceptedBefore, 'five sequential requests on one connection').to.equal(1);
      } finally {
        await proxy.close();
      }
    });

    it('closes a keep-alive connection that stayed idle, and opens a new one for the next request', async () => {
      const proxy = await startTcpProxy(apiServerAddress(sniffer));
      try {
        const c = client(snifferClientConfig(throughProxy(sniffer, proxy)), { idleSocketMs: 300 });
        const objects = customObjects(c, observationResource(namespace));
        await objects.get('k1', { timeoutMs: 5_000 });
        await objects.get('k1', { timeoutMs: 5_000 });
        expect(proxy.accepted).to.equal(1);
        await new Promise((resolve) => setTimeout(resolve, 600));
        await objects.get('k1', { timeoutMs: 5_000 });
        expect(proxy.accepted).to.equal(2);
      } finally {
        await proxy.close();
      }
    });

    it('keeps a slow answer within its deadline alive although it takes longer than the idle timeout', async () => {
      const proxy = await startTcpProxy(apiServerAddress(sniffer));
      try {
        const c = client(snifferClientConfig(throughProxy(sniffer, proxy)), { idleSocketMs: 200 });
        proxy.delayResponses(300);
        const stored = await customObjects(c, observationResource(namespace)).get<{ metadata: { name: string } }>('k1', { timeoutMs: 5_000 });
        expect(stored.metadata.name).to.equal('k1');
      } finally {
        await proxy.close();
      }
    });

    it('fails fast with a network error (no status code) when nothing answers', async () => {
      const proxy = await startTcpProxy(apiServerAddress(sniffer));
      try {
        const c = client(snifferClientConfig(throughProxy(sniffer, proxy)));
        proxy.pause();
        const refused = await failureOf(customObjects(c, observationResource(namespace)).get('k1', { timeoutMs: 5_000 }));
        expect(refused).to.be.instanceOf(KubeRequestError);
        expect(errorCode(refused)).to.equal('network');
        expect(errorFields(refused).code).to.equal(undefined);
      } finally {
        await proxy.close();
      }
    });
  });
});
