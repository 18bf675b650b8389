import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { expect } from 'chai';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';
import { controlPlaneBinary } from '../../support/control-plane.js';
import { installCrds } from '../../support/crds.js';
import { lookAroundCommands, renderLookAround } from '../../support/local-cluster/look-around.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { slotted } from '../../support/test-slot.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const namespace = slotted('look-around');
/** A shell as on a machine where the set-up's Node.js is not on PATH: only the system's (Debian's node 20 here, if any). */
const userEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/nonexistent' };

describe('the commands the main command prints run as printed', function () {
  this.timeout(120_000);
  let kubeconfig: string;
  let lines: ReturnType<typeof lookAroundCommands>;
  const shell = (command: string) => `${lines[0]!.command}\n${command}`;

  before(async () => {
    const controlPlane = await sharedControlPlane();
    kubeconfig = controlPlane.kubeconfigPath;
    const admin = controlPlane.admin();
    await installCrds(admin);
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents', namespace,
      body: {
        apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents',
        metadata: { name: 'shop-web', namespace, labels: { [managedByLabel]: managedByValue } },
        spec: { workload: { name: 'shop-web', kind: 'Deployment' }, targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }] },
      },
    });
    lines = lookAroundCommands({ repoRoot, kubeconfig, controlPlaneBinary: controlPlaneBinary(), withOtterize: true });
  });

  it('prints an export first, then kubectl-netmap and kubectl commands, aligned', () => {
    expect(lines[0]!.command).to.equal(`export KUBECONFIG=${kubeconfig} PATH=${join(repoRoot, 'bin')}:$PATH`);
    expect(lines.map((l) => l.command.split(' ')[0])).to.include.members(['kubectl-netmap', `${controlPlaneBinary()}`]);
    expect(renderLookAround(lines)).to.include(`  kubectl-netmap status${' '.repeat(2)}`);
  });

  it('each command but serve, in a shell without the set-up\'s Node.js on PATH', () => {
    for (const { command } of lines.slice(1)) {
      if (command.endsWith(' serve')) continue;
      const run = spawnSync('bash', ['-c', shell(command)], { env: userEnv, encoding: 'utf8' });
      const what = `${command}: exit ${run.status}\n${run.stderr}`;
      // status reports problems with exit 1: this control plane runs no sniffer and no operator.
      expect(command.endsWith('status') ? [0, 1] : [0], what).to.include(run.status);
      expect(run.stderr, what).not.to.match(/TypeError|at .*\(node:|needs Node\.js/);
      if (command.endsWith('status')) expect(run.stdout).to.match(/Sniffers \(namespace network-mapper\):[\s\S]*Status: \d+ problems?/);
      if (command.endsWith('netmap list')) expect(run.stdout).to.include(`shop-web in namespace ${namespace} calls:\n  - cart in namespace ${namespace}\n`);
      if (command.endsWith('get clientintents -A')) expect(run.stdout).to.include('shop-web');
    }
  });

  it('serve (on a free port: 8477 may be taken on a shared machine), until Ctrl-C', async () => {
    const serve = lines.find((l) => l.command.endsWith(' serve'))!;
    const child = spawn('bash', ['-c', shell(`exec ${serve.command} --port 0`)], { env: userEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const first = await Promise.race([once(child.stdout, 'data').then(([chunk]) => String(chunk)), once(child, 'exit').then(([code]) => `exited ${String(code)}`)]);
    const url = first.trim();
    expect(url, stderr).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const map = (await (await fetch(`${url}api/map`)).json()) as { total: number };
    expect(map.total).to.be.greaterThan(0);
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, stderr).to.equal(0);
  });
});
