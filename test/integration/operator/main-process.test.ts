import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { CoreV1Api } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { waitFor } from './cluster-fixtures.js';
import { startOperatorProcess } from './operator-process.js';

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

  it('stops on SIGTERM while a CRD is still missing (start-up waits for first lists, stop does not)', async () => {
    const started = startOperatorProcess(cp.kubeconfigPath, { POD_NAME: 'main-test-early' });
    child = started.child;
    await waitFor('informer restart logged', async () => started.logs.find((l) => l.message === 'informer stopped; restarting' && l.resource === 'clientintents'));
    child.kill('SIGTERM');
    // Real time (a child process): stopping must not wait for the first lists, which start-up
    // would wait for up to 120 s (cacheSyncTimeoutMs); 30 s is a generous margin under that.
    expect(await Promise.race([started.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))])).to.equal(0);
    child = undefined;
  });

  it('is not ready while a CRD is missing, recovers when it appears, serves metrics and stops on SIGTERM', async () => {
    const started = startOperatorProcess(cp.kubeconfigPath, { POD_NAME: 'main-test' });
    child = started.child;
    const logs = started.logs;
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

    child.kill('SIGTERM');
    expect(await started.exited).to.equal(0);
    expect(logs.some((l) => l.message === 'operator stopped')).to.equal(true);
    child = undefined;
  });
});
