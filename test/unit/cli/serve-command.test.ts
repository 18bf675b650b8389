import { expect } from 'chai';
import { parseCommand } from '../../../src/cli/core/command.js';
import { serveUrl } from '../../../src/cli/core/commands/serve.js';

describe('cli argument parsing: serve', () => {
  it('listens on 127.0.0.1:8477 by default, with the selection and status flags', () => {
    expect(parseCommand(['serve', '-n', 'shop'])).to.deep.equal({
      ok: true,
      command: {
        kind: 'serve',
        selection: { namespaces: ['shop'], includeUserManaged: false, excludeServices: [], excludeLabels: [] },
        cluster: { requestTimeoutSeconds: 30 },
        address: '127.0.0.1',
        port: 8477,
        namespace: 'network-mapper',
        leaseName: 'network-mapper-operator',
      },
    });
    expect(parseCommand(['serve', '--port', '0', '--address', '::1'])).to.deep.nested.include({ 'command.port': 0, 'command.address': '::1' });
  });

  it('refuses a port that is not 0-65535 and an empty address', () => {
    for (const port of ['65536', '-1', 'http', '']) {
      expect(parseCommand(['serve', `--port=${port}`])).to.deep.include({ ok: false, topic: 'serve' });
    }
    expect(parseCommand(['serve', '--address='])).to.deep.include({ ok: false, error: '--address needs an address (e.g. 0.0.0.0 for every interface)' });
  });

  it('prints IPv6 addresses in brackets', () => {
    expect(serveUrl('127.0.0.1', 8477)).to.equal('http://127.0.0.1:8477/');
    expect(serveUrl('::1', 80)).to.equal('http://[::1]:80/');
  });
});
