import { expect } from 'chai';
import { maxDnsNameLength } from '../../../src/crds/bounds.js';
import { nodeLabelValue, observationObjectName } from '../../../src/sniffer/core/object-names.js';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const start = Date.UTC(2026, 10, 26, 3, 19, 0, 123);

describe('observation object names', () => {
  it('are readable and made of node, window start and part', () => {
    expect(observationObjectName('node-a', start, 0)).to.equal('node-a-20261126t031900123z-p0');
    expect(observationObjectName('ip-10-0-0-1.ec2.internal', start, 12)).to.equal('ip-10-0-0-1.ec2.internal-20261126t031900123z-p12');
  });

  it('are deterministic, and differ by node, window and part', () => {
    expect(observationObjectName('node-a', start, 1)).to.equal(observationObjectName('node-a', start, 1));
    const names = new Set([
      observationObjectName('node-a', start, 0),
      observationObjectName('node-b', start, 0),
      observationObjectName('node-a', start + 1, 0),
      observationObjectName('node-a', start, 1),
    ]);
    expect(names.size).to.equal(4);
  });

  it('stay valid DNS-1123 names for the longest node names, and keep long names apart by a hash', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(long).to.have.length(maxDnsNameLength);
    const other = `${long.slice(0, -1)}e`;
    for (const node of [long, other]) {
      const name = observationObjectName(node, start, 999);
      expect(name.length).to.be.at.most(maxDnsNameLength);
      expect(name).to.match(dns1123Subdomain);
    }
    expect(observationObjectName(long, start, 0)).to.not.equal(observationObjectName(other, start, 0));
  });

  it('turn node names that are not valid object names into valid ones', () => {
    for (const node of ['Node_A', '-odd-', '...', 'UPPER.case']) {
      expect(observationObjectName(node, start, 0)).to.match(dns1123Subdomain);
    }
    expect(observationObjectName('Node_A', start, 0)).to.not.equal(observationObjectName('node-a', start, 0));
  });

  it('give a valid label value for any node name', () => {
    expect(nodeLabelValue('node-a')).to.equal('node-a');
    const long = 'n'.repeat(200);
    for (const node of [long, 'x'.repeat(63) + '.', 'Node_A.b']) {
      expect(nodeLabelValue(node).length).to.be.at.most(63);
      expect(nodeLabelValue(node)).to.match(labelValue);
    }
    expect(nodeLabelValue(long)).to.not.equal(nodeLabelValue(`${long}x`));
  });
});
