import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { waitFor } from './cluster-fixtures.js';

const mainJs = join(import.meta.dirname, '..', '..', '..', 'src', 'operator', 'main.js');

/**
 * The operator as it runs in its Deployment: a process started with environment variables,
 * JSON logs on stderr, /readyz /metrics, SIGTERM. Its own control plane starts without CRDs,
 * so the ClientIntents informer fails until they are installed and must come back by itself.
 */
describe('operator process (main.ts)', function () {
  this.timeout(120_000);
  let cp: ControlPlane;
  let child: ChildProcess | undefined;

  before(async () => {
    cp = await startControlPlane();
    await cp.admin().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'network-mapper' } } });
  });

  after(async () => {
    child?.kill('SIGKILL');
    await cp?.stop();
  });

  it('is not ready while a CRD is missing, recovers when it appears, serves metrics and stops on SIGTERM', async () => {
    child = spawn(process.execPath, [mainJs], {
      env: { ...process.env, KUBECONFIG: cp.kubeconfigPath, HEALTH_PORT: '0', POD_NAME: 'main-test', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const logs: Record<string, unknown>[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ unparsed: line });
      }
    });
    const port = await waitFor('started log line', async () => logs.find((l) => l.message === 'operator started')?.healthPort as number | undefined);
    const get = (path: string): Promise<{ status: number; text: string }> => fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => ({ status: r.status, text: await r.text() }));

    expect((await get('/healthz')).status).to.equal(200);
    await waitFor('informer restart logged', async () => logs.find((l) => l.message === 'informer stopped; restarting' && l.resource === 'clientintents'));
    expect((await get('/readyz')).status).to.equal(503);

    await installCrds(cp.admin());
    await waitFor('ready', async () => ((await get('/readyz')).status === 200 ? true : undefined), 60_000);
    const metrics = (await get('/metrics')).text;
    expect(metrics).to.match(/netmap_informer_restarts_total\{resource="clientintents"\} [1-9]/);
    for (const name of ['netmap_observations_processed_total', 'netmap_writes_total', 'netmap_queue_depth', 'netmap_reconcile_seconds', 'netmap_unresolved_records_total']) expect(metrics).to.contain(name);
    expect(logs.filter((l) => 'unparsed' in l)).to.deep.equal([]);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    expect(logs.some((l) => l.message === 'operator stopped')).to.equal(true);
    child = undefined;
  });
});
