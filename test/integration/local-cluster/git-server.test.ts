import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitServer, type GitServer } from '../../support/local-cluster/flux/git-server.js';
import { slottedPort } from '../../support/test-slot.js';

describe('git server for the GitOps test (git-http-backend over HTTP)', function () {
  this.timeout(30_000);
  let dir: string;
  let server: GitServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netmap-git-'));
    server = await startGitServer(join(dir, 'server'), '127.0.0.1', slottedPort(19530));
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // The server answers in this process: the client must not block it (no spawnSync).
  const git = async (...args: string[]): Promise<string> => (await promisify(execFile)('git', args, { timeout: 20_000 })).stdout.trim();

  it('serves what the test commits to a smart-HTTP clone, commit after commit', async () => {
    const first = server.commit('first', new Map([['intents/web.shop.yaml', 'kind: ClientIntents\n']]));
    const clone = join(dir, 'clone');
    await git('clone', '-q', server.url, clone);
    expect(readFileSync(join(clone, 'intents/web.shop.yaml'), 'utf8')).to.equal('kind: ClientIntents\n');
    const second = server.commit('second', new Map([['intents/web.shop.yaml', undefined]]));
    expect(second).to.not.equal(first);
    await git('-C', clone, 'pull', '-q');
    expect(await git('-C', clone, 'rev-parse', 'HEAD')).to.equal(second);
  });
});
