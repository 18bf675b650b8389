import type { ExpectedIntents } from '../local-cluster/expected-intents.js';
import { otterizeNamespace } from './otterize-release.js';

/**
 * What the map holds for Otterize itself once its chart is installed in the local cluster: its
 * operator and webhook server are pods on the pod network that watch the API server through the
 * kubernetes Service, like every controller. The API server's calls of the webhook come from the
 * host, not from a pod, and are no one's target. Its chart names both pods' workload with the
 * `intents.otterize.com/workload-name` annotation (the operator's is `intents-operator`, not its
 * Deployment's name), so, as for any such pod, the ClientIntents names that workload and no kind.
 */
export const otterizeOwnIntents: readonly ExpectedIntents[] = [
  { namespace: otterizeNamespace, workload: 'intents-operator', targets: ['service:kubernetes.default'] },
  { namespace: otterizeNamespace, workload: 'intents-operator-webhook-server', targets: ['service:kubernetes.default'] },
];
