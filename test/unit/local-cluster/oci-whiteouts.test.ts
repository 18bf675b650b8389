import { expect } from 'chai';
import { layerWhiteouts } from '../../support/oci/oci-unpack.js';

describe('OCI layer whiteouts', () => {
  it('sorts a layer\'s members into deleted paths and opaque directories', () => {
    expect(layerWhiteouts(['./', './etc/', './etc/.wh.removed.txt', './.wh.top', 'var/lib/.wh..wh..opq', './app/file'])).to.deep.equal({
      deleted: ['etc/removed.txt', 'top'],
      opaque: ['var/lib'],
    });
  });

  it('refuses a member that climbs out of the root', () => {
    expect(() => layerWhiteouts(['./a/../../etc/.wh.passwd'])).to.throw(/leaves the root/);
  });
});
