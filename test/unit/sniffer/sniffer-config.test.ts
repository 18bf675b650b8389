import { expect } from 'chai';
import { ConfigError, parseEnvConfig } from '../../../src/shared/env-config.js';
import { snifferConfigSchema } from '../../../src/sniffer/core/sniffer-config.js';

describe('sniffer configuration', () => {
  it('needs only NODE_NAME and has defaults for the rest', () => {
    expect(parseEnvConfig(snifferConfigSchema, { NODE_NAME: 'node-a', PATH: '/usr/bin' })).to.deep.equal({
      NODE_NAME: 'node-a',
      POD_NAMESPACE: 'network-mapper',
      WINDOW_SECONDS: 10,
      CAPTURE_DEVICE: 'any',
      PCAP_BUFFER_BYTES: 4 * 1024 * 1024,
      PROC_ROOT: '/hostproc',
      SCAN_INTERVAL_SECONDS: 1,
      MAX_BUFFER_BYTES: 32 * 1024 * 1024,
      MAX_PENDING_OBJECTS: 100,
      REREPORT_SECONDS: 300,
      REREPORT_MAX_RECORDS: 20_000,
      HTTP_CAPTURE: 'false',
      HTTP_CAPTURE_SNAP_LENGTH: 1024,
      HTTP_PCAP_BUFFER_BYTES: 4 * 1024 * 1024,
      HTTP_PORT: 9478,
      LOG_LEVEL: 'info',
      API_TIMEOUT_SECONDS: 15,
      CAPTURE_IMMEDIATE_MODE: 'false',
      CAPTURE_READ_TIMEOUT_MS: 1000,
      FLUSH_TIMEOUT_SECONDS: 10,
    });
  });

  it('reads every variable from strings', () => {
    const config = parseEnvConfig(snifferConfigSchema, {
      NODE_NAME: 'n', POD_NAMESPACE: 'observability', WINDOW_SECONDS: '2.5', CAPTURE_DEVICE: 'eth0', CAPTURE_FILTER: 'udp port 53',
      CAPTURE_SNAP_LENGTH: '1500', PCAP_BUFFER_BYTES: '1048576', PROC_ROOT: '/proc', SCAN_INTERVAL_SECONDS: '0.5',
      MAX_BUFFER_BYTES: '1000000', MAX_PENDING_OBJECTS: '7', HTTP_PORT: '8081', LOG_LEVEL: 'debug', API_TIMEOUT_SECONDS: '3', FLUSH_TIMEOUT_SECONDS: '0',
      CAPTURE_IMMEDIATE_MODE: 'true', CAPTURE_READ_TIMEOUT_MS: '200', REREPORT_SECONDS: '0', REREPORT_MAX_RECORDS: '500',
    });
    expect(config).to.include({ REREPORT_SECONDS: 0, REREPORT_MAX_RECORDS: 500 });
    expect(config).to.include({ CAPTURE_IMMEDIATE_MODE: 'true', CAPTURE_READ_TIMEOUT_MS: 200, WINDOW_SECONDS: 2.5, CAPTURE_SNAP_LENGTH: 1500, SCAN_INTERVAL_SECONDS: 0.5, MAX_PENDING_OBJECTS: 7, HTTP_PORT: 8081, FLUSH_TIMEOUT_SECONDS: 0 });
  });

  it('names every bad variable in one clear error', () => {
    const parse = () => parseEnvConfig(snifferConfigSchema, {
      WINDOW_SECONDS: 'ten', POD_NAMESPACE: 'Bad_NS', HTTP_PORT: '70000', MAX_BUFFER_BYTES: '10', LOG_LEVEL: 'verbose', PROC_ROOT: 'hostproc',
    });
    expect(parse).to.throw(ConfigError);
    const message = (() => { try { parse(); } catch (error) { return (error as Error).message; } return ''; })();
    expect(message).to.match(/NODE_NAME: NODE_NAME is required/);
    expect(message).to.match(/WINDOW_SECONDS: /);
    expect(message).to.match(/POD_NAMESPACE: must be a namespace name/);
    expect(message).to.match(/HTTP_PORT: .*65535/);
    expect(message).to.match(/MAX_BUFFER_BYTES: .*65536/);
    expect(message).to.match(/LOG_LEVEL: /);
    expect(message).to.match(/PROC_ROOT: must be an absolute path/);
  });
});
