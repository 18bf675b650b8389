import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, parseEnvConfig } from '../shared/env-config.js';
import { startHealthServer } from '../shared/health-server.js';
import { createLogger, errorFields } from '../shared/logger.js';
import { snifferConfigSchema, type SnifferConfig } from './core/sniffer-config.js';
import { startPacketCapture, type PacketCapture } from './shell/capture/pcap-source.js';
import { createKubeClient } from './shell/kube/kube-client.js';
import { KubeConfigError, type KubeClientConfig } from './shell/kube/kube-client-config.js';
import { loadKubeClientConfig } from './shell/kube/load-kube-client-config.js';
import { startReporting } from './shell/reporting/start-reporting.js';
import { startSocketScanner, type SocketScanner } from './shell/socket-scan/socket-scanner.js';

let config: SnifferConfig;
try {
  config = parseEnvConfig(snifferConfigSchema, process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`netmap sniffer: ${error.message}\n`);
  process.exit(2);
}

let kubeConfig: KubeClientConfig;
try {
  kubeConfig = await loadKubeClientConfig();
} catch (error) {
  if (!(error instanceof KubeConfigError)) throw error;
  process.stderr.write(`netmap sniffer: ${error.message}\n`);
  process.exit(2);
}

const logger = createLogger('sniffer', config.LOG_LEVEL);
const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'netmap_sniffer_' });

const reporting = startReporting({
  kube: createKubeClient(kubeConfig),
  namespace: config.POD_NAMESPACE,
  nodeName: config.NODE_NAME,
  windowMs: config.WINDOW_SECONDS * 1000,
  maxBufferBytes: config.MAX_BUFFER_BYTES,
  maxPendingObjects: config.MAX_PENDING_OBJECTS,
  registry,
  logger,
  requestTimeoutMs: config.API_TIMEOUT_SECONDS * 1000,
  flushTimeoutMs: config.FLUSH_TIMEOUT_SECONDS * 1000,
});

let capture: PacketCapture | undefined;
let scanner: SocketScanner | undefined;
try {
  capture = startPacketCapture({
    device: config.CAPTURE_DEVICE,
    bufferBytes: config.PCAP_BUFFER_BYTES,
    snapLength: config.CAPTURE_SNAP_LENGTH,
    filter: config.CAPTURE_FILTER,
    sink: reporting.buffer,
    registry,
    logger,
  });
  scanner = startSocketScanner({
    procRoot: config.PROC_ROOT,
    intervalMs: config.SCAN_INTERVAL_SECONDS * 1000,
    sink: reporting.buffer,
    registry,
    logger,
  });
} catch (error) {
  logger.error('cannot start capturing', { ...errorFields(error), device: config.CAPTURE_DEVICE, procRoot: config.PROC_ROOT });
  capture?.stop();
  await reporting.reporter.stop();
  process.exit(1);
}

const health = await startHealthServer({
  port: config.HTTP_PORT,
  registry,
  isReady: () => reporting.reporter.connected,
}).catch(async (error: unknown) => {
  logger.error('cannot serve health and metrics', { ...errorFields(error), httpPort: config.HTTP_PORT });
  capture?.stop();
  scanner?.stop();
  await reporting.reporter.stop();
  process.exit(1);
});
logger.info('sniffer started', {
  node: config.NODE_NAME,
  namespace: config.POD_NAMESPACE,
  apiServer: kubeConfig.server,
  credentials: kubeConfig.origin,
  device: config.CAPTURE_DEVICE,
  windowSeconds: config.WINDOW_SECONDS,
  httpPort: health.port,
});

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info('shutting down: flushing the last window', { signal });
  // Captures first, so the last window is complete when it is written.
  try {
    capture?.stop();
    scanner?.stop();
    await reporting.reporter.stop();
    await health.close();
    logger.info('sniffer stopped', { signal });
  } catch (error) {
    logger.error('error while shutting down', errorFields(error));
    process.exitCode = 1;
  }
  process.exit();
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
