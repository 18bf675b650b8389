import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { terminate } from '../../support/component-process.js';
import { builtImage } from '../../support/oci/built-image.js';
import { startOperatorInRootfs, startSnifferInRootfs } from '../../support/oci/components-in-rootfs.js';
import { imageCommand, type ImageCommand } from '../../support/oci/image-command.js';
import { readOciImage, type OciImage } from '../../support/oci/oci-image-layout.js';
import { runInRootfs } from '../../support/oci/run-in-rootfs.js';
import { unpackOciImage } from '../../support/oci/oci-unpack.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { slottedPort } from '../../support/test-slot.js';

const root = { uid: 0, gid: 0 };

/**
 * The image scripts/image.sh built, as a runtime sees it: its OCI layout's config, and its layers
 * unpacked into a root file system where its entrypoint runs (chroot, as uid 65532 and as root).
 */
describe('the network-mapper image (OCI layout from scripts/image.sh)', function () {
  this.timeout(120_000);
  const { layoutDir, tag } = builtImage();
  let image: OciImage;
  let unpackDir: string;
  let rootfs: string;
  const command = (args: string[]): ImageCommand => imageCommand(image, args);

  before(async () => {
    image = readOciImage(layoutDir, tag);
    // A directory of its own, not a shared cache: the tests write mount points into it.
    unpackDir = mkdtempSync(join(tmpdir(), 'netmap-image-'));
    rootfs = await unpackOciImage(image, unpackDir);
  });

  after(() => {
    if (unpackDir) rmSync(unpackDir, { recursive: true, force: true });
  });

  it('is tagged with package.json version and configured to run the entrypoint as 65532 in /app', () => {
    expect(image.entrypoint).to.deep.equal(['/usr/local/bin/network-mapper']);
    expect(image.user).to.equal('65532:65532');
    expect(image.workingDir).to.equal('/app');
    expect(image.env).to.include('NODE_ENV=production');
    expect(image.labels).to.include({ 'org.opencontainers.image.title': 'network-mapper', 'org.opencontainers.image.version': tag, 'org.opencontainers.image.licenses': 'Apache-2.0' });
    expect(image.os).to.equal('linux');
    expect(image.architecture).to.equal('amd64');
  });

  it('answers --version without a cluster, as its user and as root', () => {
    for (const user of [undefined, root]) {
      const result = runInRootfs(rootfs, command(['--version']), user ? { user } : {});
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.equal(`network-mapper ${tag}\n`);
    }
  });

  it('starts each component from the entrypoint: --version of the sniffer, the operator and the CLI', () => {
    for (const [args, output] of [[['sniffer', '--version'], 'netmap-sniffer'], [['operator', '--version'], 'netmap-operator'], [['cli', 'version'], 'kubectl-netmap']] as const) {
      const result = runInRootfs(rootfs, command([...args]), { readOnly: true });
      expect(result.status, `${args.join(' ')}: ${result.stderr}`).to.equal(0);
      expect(result.stdout).to.equal(`${output} ${tag}\n`);
    }
  });

  it('refuses an unknown subcommand with the usage', () => {
    const result = runInRootfs(rootfs, command(['snifer']));
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/unknown command 'snifer'\nusage: network-mapper sniffer \| operator \| cli/);
  });

  it('loads the patched cap against the runtime libpcap, and the sniffer refuses a bad configuration clearly', () => {
    const cap = runInRootfs(rootfs, { ...command([]), argv: ['node', '-e', 'const c = new (require("cap").Cap)(); console.log(typeof c.stats, require("cap").Cap.findDevice !== undefined)'] }, { user: root });
    expect(cap.status, cap.stderr).to.equal(0);
    expect(cap.stdout).to.equal('function true\n');
    const sniffer = runInRootfs(rootfs, command(['sniffer']), { user: root, readOnly: true, env: { NODE_NAME: 'node-1', WINDOW_SECONDS: 'often' } });
    expect(sniffer.status, sniffer.stderr).to.equal(2);
    expect(sniffer.stderr).to.match(/^netmap sniffer: invalid configuration[\s\S]*WINDOW_SECONDS/);
  });

  it('ships the runtime only: no compiler, no devDependencies, no tests, benchmarks or generators', () => {
    for (const path of ['usr/bin/g++', 'usr/bin/gcc', 'usr/bin/make', 'usr/include/pcap.h', 'app/node_modules/typescript', 'app/node_modules/mocha', 'app/node_modules/eslint', 'app/node_modules/chai', 'app/node_modules/dns-packet', 'app/dist/test', 'app/dist/bench', 'app/dist/generators']) {
      expect(existsSync(join(rootfs, path)), path).to.equal(false);
    }
    for (const path of ['usr/local/bin/node', 'app/dist/src/sniffer/main.js', 'app/dist/src/operator/main.js', 'app/dist/src/cli/main.js', 'app/node_modules/cap/build/Release/cap.node', 'app/node-flags', 'app/package.json', 'app/page/index.html', 'app/page/app.js']) {
      expect(existsSync(join(rootfs, path)), path).to.equal(true);
    }
  });

  it('runs the operator as 65532 on a read-only root file system, /tmp included, until it is ready', async () => {
    const cp = await sharedControlPlane();
    const operator = await startOperatorInRootfs(rootfs, image, cp);
    try {
      expect(operator.logs.filter((l) => 'unparsed' in l)).to.deep.equal([]);
      expect(await terminate(operator.child)).to.equal(0);
    } finally {
      operator.cleanUp();
    }
  });

  it('runs the sniffer as root with only NET_RAW and SYS_PTRACE on a read-only root until it is ready', async () => {
    const cp = await sharedControlPlane();
    const sniffer = await startSnifferInRootfs(rootfs, image, cp, slottedPort(19488));
    try {
      expect(sniffer.logs.filter((l) => 'unparsed' in l || l.level === 'error')).to.deep.equal([]);
      expect(await terminate(sniffer.child)).to.equal(0);
    } finally {
      sniffer.cleanUp();
    }
  });
});
