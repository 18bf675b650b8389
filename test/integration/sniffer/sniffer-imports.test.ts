import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

/*
 * @kubernetes/client-node alone costs the sniffer ~80 MB of RSS (bench/sniffer-reporting), more
 * than its whole memory budget: nothing the sniffer runs may load it. Checked twice, without
 * relying on ESLint: by what a real sniffer process loads, and by the sources' import strings.
 */
const distRoot = join(import.meta.dirname, '..', '..', '..');
const repoRoot = join(distRoot, '..');
const recorder = join(distRoot, 'test', 'support', 'module-load-recorder.js');
const clientNode = /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]/;

function jsFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Runs node with the recorder preloaded; returns the exit code and the URLs of every module loaded. */
async function loadedModules(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'netmap-imports-'));
  const logPath = join(dir, 'modules.txt');
  try {
    const child = spawn(process.execPath, ['--import', pathToFileURL(recorder).href, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', NETMAP_MODULE_LOG: logPath, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const modules = readFileSync(logPath, 'utf8').split('\n').filter(Boolean);
    return { code, stderr, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the sniffer never loads @kubernetes/client-node', function () {
  this.timeout(30_000);
  const snifferDist = join(distRoot, 'src', 'sniffer');
  const sharedKubeDist = join(distRoot, 'src', 'shared', 'kube');

  it('main.js: its whole static import graph (run until it refuses an empty configuration)', async () => {
    const { code, stderr, modules } = await loadedModules([join(snifferDist, 'main.js')]);
    expect(code, stderr).to.equal(2);
    const ours = modules.filter((url) => url.startsWith(pathToFileURL(snifferDist).href)).map((url) => relative(snifferDist, new URL(url).pathname));
    expect(ours).to.include.members(['main.js', 'shell/reporting/start-reporting.js', 'shell/capture/pcap-source.js']);
    expect(modules).to.include(pathToFileURL(join(sharedKubeDist, 'kube-client.js')).href);
    expect(modules.some((url) => url.includes('/node_modules/prom-client/')), 'third-party modules are seen too').to.equal(true);
    expect(modules.filter((url) => clientNode.test(url))).to.deep.equal([]);
  });

  it('every module under src/sniffer and its Kubernetes client in src/shared/kube (those loaded lazily included)', async () => {
    // main.js and the process it imports run the sniffer: the test above covers them.
    const processes = [join(snifferDist, 'main.js'), join(snifferDist, 'shell', 'sniffer-process.js')];
    const files = [...jsFiles(snifferDist, '.js').filter((file) => !processes.includes(file)), ...jsFiles(sharedKubeDist, '.js')];
    expect(files.map((file) => relative(distRoot, file))).to.include(join('src', 'shared', 'kube', 'kubeconfig-file.js'));
    const script = `for (const file of ${JSON.stringify(files.map((file) => pathToFileURL(file).href))}) await import(file);`;
    const { code, stderr, modules } = await loadedModules(['--input-type=module', '-e', script]);
    expect(code, stderr).to.equal(0);
    expect(modules.some((url) => url.includes('/node_modules/yaml/'))).to.equal(true);
    expect(modules.filter((url) => clientNode.test(url))).to.deep.equal([]);
  });

  it('(the check itself sees client-node when a module does load it)', async () => {
    const helper = pathToFileURL(join(distRoot, 'test', 'support', 'control-plane.js')).href;
    const { code, modules } = await loadedModules(['--input-type=module', '-e', `await import(${JSON.stringify(helper)});`]);
    expect(code).to.equal(0);
    expect(modules.filter((url) => clientNode.test(url)).length).to.be.greaterThan(10);
  });

  it('no source file under src/sniffer or src/shared/kube names @kubernetes/client-node (import, dynamic import or require)', () => {
    const sources = [...jsFiles(join(repoRoot, 'src', 'sniffer'), '.ts'), ...jsFiles(join(repoRoot, 'src', 'shared', 'kube'), '.ts')];
    expect(sources.length).to.be.greaterThan(20);
    const offenders = sources.filter((file) => /['"`]@kubernetes\/client-node(\/[^'"`]*)?['"`]/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(repoRoot, file))).to.deep.equal([]);
  });
});
