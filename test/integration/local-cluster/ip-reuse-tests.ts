import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { listIntents, targetKey } from '../../support/local-cluster/expected-intents.js';
import { applyManifests, type LocalCluster } from '../../support/local-cluster/local-cluster.js';
import { waitFor } from '../../support/wait-for.js';

const namespace = 'e2e-shop';

const callerPod = (name: string, url: string): string => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${namespace}, labels: { app: ${name} } }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: __DEMO_IMAGE__
      env: [{ name: TARGETS, value: "${url}" }, { name: INTERVAL_MS, value: "1000" }]
`;

/**
 * A pod's IP handed to a new pod by the real CNI (host-local IPAM) while the sniffer watches:
 * each pod's calls must land in its own ClientIntents. host-local hands addresses out round
 * robin, so a freed IP comes back only once the range has gone round; the test makes it come
 * back at once by setting the range's cursor (`last_reserved_ip.0` in host-local's data
 * directory, the one state it keeps) to the address before the freed one, after the plugin has
 * released it.
 */
export function describeIpReuse(cluster: () => LocalCluster, windowSeconds: number): void {
  it('attributes a reused pod IP to the pod that had it at the time: the old pod\'s calls before, the new pod\'s after', async function () {
    this.timeout(120_000);
    const { admin, network } = cluster();
    const core = admin.makeApiClient(CoreV1Api);
    const running = (name: string): Promise<V1Pod> => waitFor(`${name} Running with an IP`, async () => {
      const pod = await core.readNamespacedPod({ name, namespace });
      return pod.status?.phase === 'Running' && pod.status.podIP ? pod : undefined;
    }, 60_000);
    const targetsOf = async (workload: string): Promise<string[] | undefined> =>
      (await listIntents(admin)).find((i) => i.namespace === namespace && i.spec.workload.name === workload)?.spec.targets.map(targetKey).sort();

    // Internet names: a new pod calling a server Otterize protects (installed in CI) is refused,
    // and a refused call is never mapped; a pod without ClientIntents has no egress policy.
    await applyManifests(admin, callerPod('reuse-before', 'http://api.payments.example/'));
    const before = await running('reuse-before');
    const ip = before.status!.podIP!;
    await waitFor('the ClientIntents of reuse-before', async () => (await targetsOf('reuse-before'))?.length, 30_000);

    const ipamDir = join(network.runDir, 'cni', 'ipam', `${network.prefix}-pods`);
    expect(existsSync(join(ipamDir, ip)), `host-local's reservation of ${ip}`).to.equal(true);
    await core.deleteNamespacedPod({ name: 'reuse-before', namespace });
    await waitFor(`host-local to release ${ip}`, () => !existsSync(join(ipamDir, ip)), 40_000);
    const octets = ip.split('.').map(Number);
    writeFileSync(join(ipamDir, 'last_reserved_ip.0'), [...octets.slice(0, 3), octets[3]! - 1].join('.'));

    await applyManifests(admin, callerPod('reuse-after', 'http://status.example.org/'));
    const after = await running('reuse-after');
    expect(after.status!.podIP, 'the new pod got the old pod\'s IP').to.equal(ip);
    await waitFor('the ClientIntents of reuse-after', async () => (await targetsOf('reuse-after'))?.length, 30_000);
    // Both pods' last and first calls have been through the sniffer and the operator by now.
    await new Promise((resolve) => setTimeout(resolve, 2 * windowSeconds * 1000 + 2000));
    expect(await targetsOf('reuse-before'), 'the old pod: only its own call').to.deep.equal(['internet:api.payments.example:80']);
    expect(await targetsOf('reuse-after'), 'the new pod: only its own call').to.deep.equal(['internet:status.example.org:80']);
    await core.deleteNamespacedPod({ name: 'reuse-after', namespace });
  });
}
