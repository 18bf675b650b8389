import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { minimumNodeMajor, oldNodeMessage } from '../../../src/shared/node-version-guard.js';

describe('the Node.js version guard', () => {
  it('names the version found, where it runs from, and the version needed, in one line', () => {
    const message = oldNodeMessage('kubectl-netmap', '20.19.2', '/usr/bin/node');
    expect(message).to.equal('kubectl-netmap: needs Node.js 24 or newer, but this is Node.js 20.19.2 (/usr/bin/node)');
  });

  it('lets the minimum and newer versions through', () => {
    expect(oldNodeMessage('x', `${minimumNodeMajor}.0.0`, '/n')).to.equal(undefined);
    expect(oldNodeMessage('x', '26.1.0', '/n')).to.equal(undefined);
    expect(oldNodeMessage('x', '23.11.1', '/n')).to.be.a('string');
  });

  it('asks for what package.json `engines` says', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).to.equal(`>=${minimumNodeMajor}`);
  });
});
