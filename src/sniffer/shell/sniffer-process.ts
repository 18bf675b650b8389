import { ConfigError, parseEnvConfig } from '../../shared/env-config.js';
import { answerVersionFlag } from '../../shared/version-flag.js';
import { snifferConfigSchema, type SnifferConfig } from '../core/sniffer-config.js';
import { KubeConfigError, type KubeClientConfig } from '../../shared/kube/kube-client-config.js';
import { loadKubeClientConfig } from '../../shared/kube/load-kube-client-config.js';
import { runSniffer } from './run-sniffer.js';

/** The sniffer as a process, imported by main.ts once the Node.js version is checked. */
answerVersionFlag('netmap-sniffer', process.argv.slice(2));

let config: SnifferConfig;
let kubeConfig: KubeClientConfig;
try {
  config = parseEnvConfig(snifferConfigSchema, process.env);
  kubeConfig = await loadKubeClientConfig();
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof KubeConfigError)) throw error;
  process.stderr.write(`netmap sniffer: ${error.message}\n`);
  process.exit(2);
}
await runSniffer(config, kubeConfig);
