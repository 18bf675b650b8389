import { expect } from 'chai';
import {
  ContainerConfigError, containerArgv, containerCapabilities, containerIdentity, envRecord, expandReferences,
} from '../../support/local-cluster/container-spec.js';
import { tokenRefreshAt } from '../../support/local-cluster/service-account-token.js';

const image = { entrypoint: ['/entry'], cmd: ['--default'] };
const files = { passwd: 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\napp:x:1000:1001::/app:/bin/sh\n', group: 'root:x:0:\nstaff:x:50:\n' };
const bit = (n: number): bigint => 1n << BigInt(n);

describe('local node agent: container settings from image and pod spec', () => {
  it('combines Entrypoint/Cmd with command/args as Kubernetes does', () => {
    expect(containerArgv(image, { name: 'c' })).to.deep.equal(['/entry', '--default']);
    expect(containerArgv(image, { name: 'c', args: ['a'] })).to.deep.equal(['/entry', 'a']);
    expect(containerArgv(image, { name: 'c', command: ['/other'] })).to.deep.equal(['/other']);
    expect(containerArgv(image, { name: 'c', command: ['/other'], args: ['b'] })).to.deep.equal(['/other', 'b']);
    expect(containerArgv(image, { name: 'c', args: [] })).to.deep.equal(['/entry']);
  });

  it('expands $(VAR) references, keeps unknown ones and honours $$ escapes', () => {
    const env = { A: 'x', 'B.C': 'y' };
    expect(expandReferences('$(A)-$(B.C)-$(NONE)-$$(A)-$(id -u)', env)).to.equal('x-y-$(NONE)-$(A)-$(id -u)');
    expect(envRecord(['PATH=/bin', 'EMPTY=', 'EQ=a=b', 'broken'])).to.deep.equal({ PATH: '/bin', EMPTY: '', EQ: 'a=b' });
  });

  it('takes runAsUser/runAsGroup over the image User, looking names up in the image\'s files', () => {
    expect(containerIdentity('', { name: 'c' }, undefined, files)).to.deep.equal({ uid: 0, gid: 0, groups: [] });
    expect(containerIdentity('app', { name: 'c' }, undefined, files)).to.deep.equal({ uid: 1000, gid: 1001, groups: [] });
    expect(containerIdentity('1000:staff', { name: 'c' }, undefined, files)).to.deep.equal({ uid: 1000, gid: 50, groups: [] });
    expect(containerIdentity('65532:65532', { name: 'c' }, undefined, files)).to.deep.equal({ uid: 65532, gid: 65532, groups: [] });
    expect(containerIdentity('app', { name: 'c', securityContext: { runAsUser: 7, runAsGroup: 8 } }, { runAsUser: 9, supplementalGroups: [3], fsGroup: 4 }, files))
      .to.deep.equal({ uid: 7, gid: 8, groups: [3, 4] });
    expect(containerIdentity('app', { name: 'c' }, { runAsUser: 9, runAsGroup: 10 }, files)).to.deep.equal({ uid: 9, gid: 10, groups: [] });
    expect(() => containerIdentity('ghost', { name: 'c' }, undefined, files)).to.throw(ContainerConfigError, /unable to find user ghost/);
  });

  it('refuses runAsNonRoot for uid 0 and for a user name it cannot verify, as a kubelet does', () => {
    expect(() => containerIdentity('', { name: 'c', securityContext: { runAsNonRoot: true } }, undefined, files))
      .to.throw(ContainerConfigError, 'container has runAsNonRoot and image will run as root');
    expect(() => containerIdentity('1000', { name: 'c', securityContext: { runAsUser: 0 } }, { runAsNonRoot: true }, files)).to.throw(ContainerConfigError);
    expect(() => containerIdentity('app', { name: 'c' }, { runAsNonRoot: true }, files))
      .to.throw(ContainerConfigError, 'image has non-numeric user (app), cannot verify user is non-root');
    expect(containerIdentity('65532', { name: 'c' }, { runAsNonRoot: true }, files).uid).to.equal(65532);
  });

  it('computes the bounding set from the runtime default, drop and add; ambient only for a non-root user\'s added capabilities', () => {
    const defaults = containerCapabilities(undefined, 0);
    expect(defaults.bounding).to.equal(0xa80425fbn);
    expect(defaults.ambient).to.equal(0n);
    const sniffer = containerCapabilities({ capabilities: { drop: ['ALL'], add: ['NET_RAW', 'CAP_NET_ADMIN', 'sys_ptrace'] } }, 65532);
    expect(sniffer.bounding).to.equal(bit(13) | bit(12) | bit(19));
    expect(sniffer.ambient).to.equal(sniffer.bounding);
    const dropped = containerCapabilities({ capabilities: { drop: ['NET_RAW', 'KILL'] } }, 1000);
    expect(dropped.bounding).to.equal(0xa80425fbn & ~bit(13) & ~bit(5));
    expect(dropped.ambient).to.equal(0n);
    expect(containerCapabilities({ privileged: true }, 0).bounding).to.equal((1n << 41n) - 1n);
    expect(() => containerCapabilities({ capabilities: { add: ['FLY'] } }, 0)).to.throw(ContainerConfigError, 'unknown capability FLY');
  });

  it('refreshes a projected token at 80 % of its life, at the latest a day after issue', () => {
    expect(tokenRefreshAt(1000, 1000 + 3607_000)).to.equal(1000 + 0.8 * 3607_000);
    const year = 365 * 24 * 3600_000;
    expect(tokenRefreshAt(0, year)).to.equal(24 * 3600_000);
  });
});
