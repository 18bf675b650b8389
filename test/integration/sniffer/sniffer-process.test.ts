import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const main = join(import.meta.dirname, '..', '..', '..', 'src', 'sniffer', 'main.js');

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('sniffer process (node dist/src/sniffer/main.js)', function () {
  this.timeout(30_000);

  it('refuses a bad configuration with exit code 2 and one message naming every bad variable', async () => {
    const { code, stderr } = await run({ WINDOW_SECONDS: '0', MAX_PENDING_OBJECTS: 'many' });
    expect(code).to.equal(2);
    expect(stderr).to.match(/^netmap sniffer: invalid configuration:/);
    expect(stderr).to.match(/NODE_NAME: NODE_NAME is required/);
    expect(stderr).to.match(/WINDOW_SECONDS: /);
    expect(stderr).to.match(/MAX_PENDING_OBJECTS: /);
  });

  it('refuses to start without API server credentials, with exit code 2 and what is missing', async () => {
    const { code, stderr } = await run({ NODE_NAME: 'node-1' });
    expect(code).to.equal(2);
    expect(stderr).to.equal('netmap sniffer: not running in a cluster (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset) and KUBECONFIG is not set\n');
  });

  it('refuses a kubeconfig whose user needs an exec plugin, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmap-sniffer-process-'));
    try {
      const kubeconfig = join(dir, 'config');
      writeFileSync(
        kubeconfig,
        'current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n',
      );
      const { code, stderr } = await run({ NODE_NAME: 'node-1', KUBECONFIG: kubeconfig });
      expect(code).to.equal(2);
      expect(stderr).to.equal(`netmap sniffer: kubeconfig ${kubeconfig}, user u: exec is not supported (exec credential plugins); use a token, a token file or a client certificate\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
