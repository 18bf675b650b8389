import { intentsName } from '../names.js';
import type { WorkloadIdentity } from '../types.js';

/**
 * A `kafka` target names the broker workload as `name.namespace`, also from the broker's own
 * namespace: the Intents Operator reads it the same way, and the map never depends on where the
 * client runs.
 */
export function kafkaTargetName(broker: WorkloadIdentity): string {
  return `${intentsName(broker.name)}.${broker.namespace}`;
}
