import { spawn } from 'node:child_process';
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
});
