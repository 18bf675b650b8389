import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

const dist = join(import.meta.dirname, '..', '..', '..');
const recorder = pathToFileURL(join(dist, 'test', 'support', 'module-load-recorder.js')).href;
/** Makes this Node.js say it is 20.1.0, as an old one would, before main.js runs. */
const pretendOld = `data:text/javascript,${encodeURIComponent('Object.defineProperty(process.versions, "node", { value: "20.1.0" });')}`;
const entries = [
  { program: 'kubectl-netmap', main: join(dist, 'src', 'cli', 'main.js'), args: ['list'] },
  { program: 'netmap-sniffer', main: join(dist, 'src', 'sniffer', 'main.js'), args: [] },
  { program: 'netmap-operator', main: join(dist, 'src', 'operator', 'main.js'), args: [] },
];

describe('an old Node.js: the CLI, the sniffer and the operator refuse in one line', function () {
  this.timeout(30_000);

  for (const { program, main, args } of entries) {
    it(`${program}: exit 2, the version found and the one needed, nothing else loaded`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'netmap-old-node-'));
      try {
        const log = join(dir, 'modules.txt');
        const run = spawnSync(process.execPath, ['--import', recorder, '--import', pretendOld, main, ...args], {
          env: { PATH: process.env.PATH ?? '', NETMAP_MODULE_LOG: log },
          encoding: 'utf8',
        });
        expect(run.status, run.stderr).to.equal(2);
        expect(run.stdout).to.equal('');
        expect(run.stderr).to.match(new RegExp(`^${program}: needs Node\\.js 24 or newer, but this is Node\\.js 20\\.1\\.0 \\(${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)[^\\n]*\\n$`));
        const loaded = readFileSync(log, 'utf8').split('\n').filter((url) => url.startsWith('file:') && !url.startsWith('data:'));
        expect(loaded.filter((url) => url.includes('/node_modules/'))).to.deep.equal([]);
        expect(loaded.filter((url) => url.includes('/dist/src/')).map((url) => url.slice(url.indexOf('/dist/src/') + 10))).to.have.length(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  // The machine's own Node.js (Debian's, 20 here) where it is older than 24: the real thing.
  const systemNode = '/usr/bin/node';
  const systemMajor = existsSync(systemNode) ? Number(spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim()) : undefined;
  if (systemMajor !== undefined && systemMajor < 24) {
    it(`the system's Node.js ${systemMajor} (${systemNode}): one line, no stack trace, for all three`, () => {
      for (const { program, main, args } of entries) {
        const run = spawnSync(systemNode, [main, ...args], { env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
        expect(run.status, run.stderr).to.equal(2);
        expect(run.stderr).to.match(new RegExp(`^${program}: needs Node\\.js 24 or newer, but this is Node\\.js ${systemMajor}\\.[0-9.]+ \\(/usr/bin/node\\)[^\\n]*\\n$`));
      }
    });
  }
});
