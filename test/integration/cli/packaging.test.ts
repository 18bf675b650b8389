import { execFileSync } from 'node:child_process';
import { accessSync, constants, createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (chunk) => hash.update(chunk)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

/** Both install from the npm registry, as a user's machine does: minutes, not seconds. */
describe('kubectl netmap packaging', function () {
  this.timeout(600_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'netmap-pack-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs from `npm pack` with `npm install -g` as kubectl-netmap', () => {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', dir, repoRoot], { stdio: ['ignore', 'ignore', 'inherit'] });
    const prefix = join(dir, 'prefix');
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', join(dir, 'network-mapper-0.1.0.tgz')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const help = execFileSync(join(prefix, 'bin', 'kubectl-netmap'), ['--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(help).to.include('kubectl netmap list [flags]');
    expect(help).to.include('kubectl netmap status [flags]');
  });

  it('packs a krew archive holding every file its manifest names, and the manifest its sha256', async () => {
    const out = join(dir, 'krew');
    const archive = execFileSync(join(repoRoot, 'scripts', 'pack-krew.sh'), [out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    const manifest = parse(readFileSync(join(out, 'netmap.yaml'), 'utf8')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: { version: string; caveats: string; platforms: { uri: string; sha256: string; bin: string; files: { from: string; to: string }[] }[] };
    };
    expect(manifest).to.include({ apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin' });
    expect(manifest.metadata.name).to.equal('netmap');
    expect(manifest.spec.version).to.equal(`v${(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}`);
    expect(manifest.spec.caveats).to.include('Node.js >= 24');
    const [platform] = manifest.spec.platforms;
    expect(platform!.uri).to.equal(`file://${archive}`);
    expect(platform!.sha256).to.equal(await sha256(archive));
    const unpacked = join(dir, 'unpacked');
    execFileSync('mkdir', ['-p', unpacked]);
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    for (const file of platform!.files) expect(existsSync(join(unpacked, file.from)), file.from).to.equal(true);
    accessSync(join(unpacked, platform!.bin), constants.X_OK);
    expect(existsSync(join(unpacked, 'lib', 'network-mapper', 'node_modules', '@hpcc-js', 'wasm-graphviz'))).to.equal(true);
    const version = execFileSync(join(unpacked, platform!.bin), ['version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(version).to.equal('kubectl-netmap 0.1.0\n');
  });
});
