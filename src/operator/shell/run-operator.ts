import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parseEnvConfig } from '../../shared/env-config.js';
import { startHealthServer } from '../../shared/health-server.js';
import { createLogger } from '../../shared/logger.js';
import { operatorConfigSchema, settingsFromEnv } from '../core/operator-config.js';
import { Manager } from './manager.js';

/** Starts the operator from environment variables and stops it cleanly on SIGTERM/SIGINT. */
export async function runOperator(env: Record<string, string | undefined>): Promise<void> {
  const log = createLogger('operator');
  const config = parseEnvConfig(operatorConfigSchema, env);
  const settings = settingsFromEnv(config, hostname());
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const operator = new Manager(kc, settings, registry, log);
  const health = await startHealthServer({ port: config.HEALTH_PORT, registry, isReady: () => operator.isReady() });
  operator.start();
  log.info('operator started', { identity: settings.identity, observationNamespace: settings.observationNamespace, healthPort: health.port });
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await operator.stop();
  await health.close();
  log.info('operator stopped');
}
