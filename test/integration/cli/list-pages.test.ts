import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { exitCodes } from '../../../src/cli/core/exit-codes.js';
import { listClientIntents } from '../../../src/cli/shell/list-client-intents.js';
import { connectUserKube } from '../../../src/cli/shell/user-kube-client.js';
import { installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { runCliProcess } from './cli-process.js';

const namespace = 'cli-pages';

describe('kubectl netmap: paging, timeouts, help', function () {
  this.timeout(60_000);

  it('reads every page of a long list', async () => {
    const controlPlane = await sharedControlPlane();
    const kc = controlPlane.admin();
    await installCrds(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const custom = kc.makeApiClient(CustomObjectsApi);
    const names = ['a', 'b', 'c', 'd', 'e'].map((n) => `client-${n}`);
    for (const name of names) {
      await custom.createNamespacedCustomObject({
        group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents', namespace,
        body: {
          apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents',
          metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'network-mapper' } },
          spec: { workload: { name }, targets: [{ kubernetes: { name: 'server' } }] },
        },
      });
    }
    const client = await connectUserKube({ kubeconfig: controlPlane.kubeconfigPath, requestTimeoutSeconds: 10 });
    const items = await listClientIntents(client, { namespaces: [namespace], includeUserManaged: false, excludeServices: [], excludeLabels: [] }, 10, 2);
    expect(items.map((i) => (i as { metadata: { name: string } }).metadata.name).sort()).to.deep.equal(names);
  });

  it('exits 3 when the API server accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const dir = mkdtempSync(join(tmpdir(), 'netmap-cli-silent-'));
    try {
      const file = join(dir, 'kubeconfig');
      writeFileSync(file, [
        'apiVersion: v1', 'kind: Config',
        `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: u, user: {token: t}}]', 'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', '',
      ].join('\n'));
      const started = Date.now();
      const run = await runCliProcess(['list', '--request-timeout', '1s'], { KUBECONFIG: file });
      expect(run.code).to.equal(exitCodes.unreachable);
      expect(run.stderr).to.equal(`error: no answer from the Kubernetes API server at https://127.0.0.1:${port} within 1s (--request-timeout)\n`);
      expect(Date.now() - started).to.be.below(15_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints help and the version without a cluster', async () => {
    const help = await runCliProcess(['--help'], {});
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^kubectl netmap: /);
    const listHelp = await runCliProcess(['list', '--help'], {});
    expect(listHelp.stdout).to.include('--server NAME.NAMESPACE');
    const version = await runCliProcess(['version'], {});
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(version).to.deep.equal({ code: 0, stdout: `kubectl-netmap ${pkg.version}\n`, stderr: '' });
  });
});
