import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

const componentProcess = pathToFileURL(join(import.meta.dirname, '..', '..', 'support', 'component-process.js')).href;

/**
 * Runs a script that routes the component logs (or not), logs through componentLogger and spawns
 * a component through componentStdio, in a process of its own (the routing is per process).
 */
function run(route: string): { stdout: string; stderr: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netmap-component-logs-'));
  const script = `
    import { spawn } from 'node:child_process';
    import { once } from 'node:events';
    import { componentLogger, componentStdio, routeComponentLogs } from ${JSON.stringify(componentProcess)};
    const logger = componentLogger('kube-proxy'); // created before the routing, as a module's logger is
    ${route.replace('DIR', JSON.stringify(join(dir, 'logs')))}
    logger.info('rules synced', { namespace: 'default', name: 'kubernetes' });
    const { stdio, attach } = componentStdio('kubelet');
    const child = spawn(process.execPath, ['-e', 'console.log("kubelet out"); console.error("kubelet err")'], { stdio });
    attach(child);
    await once(child, 'exit');
    await new Promise((r) => setTimeout(r, 100));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.status, result.stderr).to.equal(0);
  return { stdout: result.stdout, stderr: result.stderr, dir };
}

describe('component logs: routed to one file per component by the main command, else stderr', function () {
  this.timeout(20_000);

  it('unrouted (tests): JSON lines and a spawned component\'s output on stderr, no files', () => {
    const { stderr, stdout, dir } = run('');
    try {
      expect(JSON.parse(stderr.split('\n')[0]!)).to.include({ component: 'kube-proxy', message: 'rules synced', namespace: 'default', name: 'kubernetes' });
      expect(stderr).to.include('kubelet err').and.include('kubelet out');
      expect(stdout).to.equal('');
      expect(readdirSync(dir)).to.deep.equal([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('routed: nothing on stdout or stderr; <dir>/<component>.log holds each one\'s lines', () => {
    const { stderr, stdout, dir } = run('routeComponentLogs({ dir: DIR, verbose: false });');
    try {
      expect(stdout + stderr).to.equal('');
      expect(readdirSync(join(dir, 'logs')).sort()).to.deep.equal(['kube-proxy.log', 'kubelet.log']);
      const lines = readFileSync(join(dir, 'logs', 'kube-proxy.log'), 'utf8').trim().split('\n');
      expect(lines).to.have.length(1);
      expect(JSON.parse(lines[0]!)).to.include({ component: 'kube-proxy', message: 'rules synced' });
      expect(readFileSync(join(dir, 'logs', 'kubelet.log'), 'utf8')).to.equal('kubelet out\nkubelet err\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('routed with --verbose: in the files and on stderr', () => {
    const { stderr, dir } = run('routeComponentLogs({ dir: DIR, verbose: true });');
    try {
      expect(stderr).to.include('"message":"rules synced"').and.include('kubelet out').and.include('kubelet err');
      expect(readFileSync(join(dir, 'logs', 'kube-proxy.log'), 'utf8')).to.include('"message":"rules synced"');
      expect(readFileSync(join(dir, 'logs', 'kubelet.log'), 'utf8')).to.include('kubelet out').and.include('kubelet err');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
