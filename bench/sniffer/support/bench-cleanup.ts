import { rmSync } from 'node:fs';
import type { NetnsProcess, Topology } from '../../../test/support/netns/topology.js';
import type { NodeApiServer } from './node-api-server.js';
import type { ScanLoad } from './scan-load.js';

/** What a sniffer benchmark has made by the time it ends; filled in as it goes. */
export interface BenchParts {
  readonly topology: Topology;
  readonly workDir: string;
  api?: NodeApiServer;
  load?: ScanLoad;
}

/**
 * The one clean-up of a sniffer benchmark, run once however it ends (normally, on an error, on
 * SIGINT or SIGTERM): the sniffer still running (`running()`, read at clean-up time), the API
 * server, the node's namespaces, the scan load's namespaces and holders, the work dir.
 */
export function benchCleanUp(parts: BenchParts, running: () => NetnsProcess | undefined): () => Promise<void> {
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> => (cleaning ??= (async () => {
    await running()?.stop();
    await parts.api?.stop();
    await parts.topology.destroy();
    await parts.load?.destroy();
    rmSync(parts.workDir, { recursive: true, force: true });
  })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  return cleanUp;
}
