import { collectDefaultMetrics, Registry } from 'prom-client';
import { startHealthServer, type HealthServer } from '../../shared/health-server.js';
import { createLogger, errorFields } from '../../shared/logger.js';
import type { SnifferConfig } from '../core/sniffer-config.js';
import { startPacketCapture, type PacketCapture } from './capture/pcap-source.js';
import { createKubeClient } from '../../shared/kube/kube-client.js';
import type { KubeClientConfig } from '../../shared/kube/kube-client-config.js';
import { reportingOptionsFrom, startReporting } from './reporting/start-reporting.js';
import { startSocketScanner, type SocketScanner } from './socket-scan/socket-scanner.js';

/**
 * The sniffer's life: captures feeding the window buffer, the reporter writing it, health and
 * metrics, and a shutdown that writes the last window. Exits the process on a fatal start-up error.
 */
export async function runSniffer(config: SnifferConfig, kubeConfig: KubeClientConfig): Promise<void> {
  const logger = createLogger('sniffer', config.LOG_LEVEL);
  const registry = new Registry();
  // The event loop lag is sampled by a libuv timer: prom-client's 10 ms wakes an idle sniffer 100
  // times a second; 100 ms still sees every stall longer than that.
  collectDefaultMetrics({ register: registry, prefix: 'netmap_sniffer_', eventLoopMonitoringPrecision: 100 });

  const reporting = startReporting({
    kube: createKubeClient(kubeConfig),
    ...reportingOptionsFrom(config),
    registry,
    logger,
  });

  let capture: PacketCapture | undefined;
  let httpCapture: PacketCapture | undefined;
  let scanner: SocketScanner | undefined;
  let health: HealthServer | undefined;
  const stopCaptures = async (): Promise<void> => {
    // libpcap may still hold the last batch of packets (up to one read timeout): take it in
    // before stopping, so the last window is complete when it is written.
    await Promise.all([capture?.drain(), httpCapture?.drain()]);
    capture?.stop();
    httpCapture?.stop();
    scanner?.stop();
  };

  try {
    capture = startPacketCapture({
      device: config.CAPTURE_DEVICE,
      bufferBytes: config.PCAP_BUFFER_BYTES,
      snapLength: config.CAPTURE_SNAP_LENGTH,
      filter: config.CAPTURE_FILTER,
      immediateMode: config.CAPTURE_IMMEDIATE_MODE === 'true',
      readTimeoutMs: config.CAPTURE_READ_TIMEOUT_MS,
      sink: reporting.buffer,
      registry,
      logger,
    });
    if (config.HTTP_CAPTURE === 'true') {
      httpCapture = startPacketCapture({
        decoder: 'http',
        device: config.CAPTURE_DEVICE,
        bufferBytes: config.HTTP_PCAP_BUFFER_BYTES,
        snapLength: config.HTTP_CAPTURE_SNAP_LENGTH,
        immediateMode: config.CAPTURE_IMMEDIATE_MODE === 'true',
        readTimeoutMs: config.CAPTURE_READ_TIMEOUT_MS,
        sink: reporting.buffer,
        registry,
        logger,
      });
    }
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
    httpCapture?.stop();
    await reporting.reporter.stop();
    process.exit(1);
  }

  try {
    health = await startHealthServer({ port: config.HTTP_PORT, registry, isReady: () => reporting.reporter.connected });
  } catch (error) {
    logger.error('cannot serve health and metrics', { ...errorFields(error), httpPort: config.HTTP_PORT });
    await stopCaptures();
    await reporting.reporter.stop();
    process.exit(1);
  }
  logger.info('sniffer started', {
    node: config.NODE_NAME,
    namespace: config.POD_NAMESPACE,
    apiServer: kubeConfig.server,
    credentials: kubeConfig.origin,
    device: config.CAPTURE_DEVICE,
    httpCapture: config.HTTP_CAPTURE === 'true',
    windowSeconds: config.WINDOW_SECONDS,
    httpPort: health.port,
  });

  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down: flushing the last window', { signal });
    try {
      await stopCaptures();
      await reporting.reporter.stop();
      await health?.close();
      logger.info('sniffer stopped', { signal });
    } catch (error) {
      logger.error('error while shutting down', errorFields(error));
      process.exitCode = 1;
    }
    process.exit();
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
