import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { AppsV1Api, AuthenticationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { rejection } from '../../support/api-error.js';
import { startControlPlane } from '../../support/control-plane.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';

describe('the test control plane', function () {
  this.timeout(60_000);

  it('authenticates the admin as a member of system:masters', async () => {
    const kc = (await sharedControlPlane()).admin();
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.groups).to.include('system:masters');
  });

  it('hands out ServiceAccount KubeConfigs that RBAC applies to', async () => {
    const kc = await (await sharedControlPlane()).serviceAccount('harness', 'probe');
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).to.equal('system:serviceaccount:harness:probe');
    const { code } = await rejection(kc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'harness' }));
    expect(code).to.equal(403);
  });

  it('serves dual-stack Services', async () => {
    const core = (await sharedControlPlane()).admin().makeApiClient(CoreV1Api);
    const svc = await core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'dual' },
        spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'], ports: [{ port: 80 }] },
      },
    });
    expect(svc.spec?.clusterIPs).to.have.length(2);
    expect(svc.spec?.clusterIPs?.[1]).to.match(/^fd00:10:96::/);
  });

  it('goes away with a test process that dies without cleaning up', async () => {
    // A child test process starts a control plane and is then killed with SIGKILL: no hook runs.
    const script = `
      import { startControlPlane } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'support', 'control-plane.js'))};
      const cp = await startControlPlane();
      console.log(cp.dataDir);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const dataDir = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    const pid = controlPlanePid(dataDir);
    expect(processAlive(pid)).to.equal(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 20_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(pid), 'control plane still running after its parent died').to.equal(false);
    expect(existsSync(dataDir), 'an orphaned control plane removes its data directory').to.equal(false);
  });
});

function controlPlanePid(dataDir: string): number {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const cmdline = join('/proc', entry, 'cmdline');
    if (existsSync(cmdline) && readFileSync(cmdline, 'utf8').split('\0').includes(dataDir)) return Number(entry);
  }
  throw new Error(`no control plane process for ${dataDir}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('the test control plane with controllers', function () {
  this.timeout(90_000);

  it('runs the requested kube-controller-manager controllers', async () => {
    const controlPlane = await startControlPlane({ controllers: ['deployment-controller', 'replicaset-controller'] });
    try {
      const kc = controlPlane.admin();
      await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
        namespace: 'default',
        body: {
          metadata: { name: 'web' },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web' }] } },
          },
        },
      });
      const core = kc.makeApiClient(CoreV1Api);
      const deadline = Date.now() + 30_000;
      let pods = 0;
      while (pods < 2 && Date.now() < deadline) {
        pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' })).items.length;
        if (pods < 2) await new Promise((r) => setTimeout(r, 200));
      }
      expect(pods, 'Pods made by the Deployment and ReplicaSet controllers').to.equal(2);
    } finally {
      await controlPlane.stop();
    }
  });
});
