import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { createKubeClient, type KubeClient, type KubeClientOptions } from '../../src/shared/kube/kube-client.js';
import type { KubeClientConfig } from '../../src/shared/kube/kube-client-config.js';
import { loadKubeconfigFile } from '../../src/shared/kube/kubeconfig-file.js';

/**
 * The sniffer's own client configuration for what a client-node KubeConfig describes (as the
 * test helpers hand them out): written to a kubeconfig file and read back by the sniffer's
 * loader, so every test that uses it also exercises that loader.
 */
export function snifferClientConfig(kc: KubeConfig): KubeClientConfig {
  const dir = mkdtempSync(join(tmpdir(), 'netmap-kubeconfig-'));
  try {
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
    return loadKubeconfigFile(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function snifferClient(kc: KubeConfig, options?: KubeClientOptions): KubeClient {
  return createKubeClient(snifferClientConfig(kc), options);
}
