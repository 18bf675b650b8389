import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSource } from './node-images.js';

/** The Kafka image (broker and the demo's Kafka clients); demo/kafka.yaml names it. */
export const kafkaImage = 'localhost/netmap/kafka:4.1.1';

/**
 * The Kafka image (scripts/kafka-image.sh, cached by content hash) by reference; built first when
 * it is not there (Kafka's jars come from Maven Central once).
 */
export function kafkaImages(repoRoot: string): Map<string, ImageSource> {
  let dir = join(repoRoot, '.cache', 'kafka-image');
  if (!existsSync(join(dir, 'complete'))) {
    const result = spawnSync('bash', [join(repoRoot, 'scripts', 'kafka-image.sh')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    dir = result.stdout.trim().split('\n').pop() ?? '';
    if (result.status !== 0 || !existsSync(join(dir, 'complete'))) throw new Error(`scripts/kafka-image.sh did not build the Kafka image (exit ${result.status})`);
  }
  const layout = join(dir, 'kafka');
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
  const tag = index.manifests[0]?.annotations?.['org.opencontainers.image.ref.name'];
  if (!tag || `localhost/netmap/kafka:${tag}` !== kafkaImage) throw new Error(`${layout} holds localhost/netmap/kafka:${tag}, not ${kafkaImage}`);
  return new Map([[kafkaImage, { layout, tag }]]);
}
