import { expect } from 'chai';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { networkObservationDefinition, type NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { listIntents, targetKey } from '../../support/local-cluster/expected-intents.js';
import { observationNamespace, type LocalCluster } from '../../support/local-cluster/local-cluster.js';
import { measureFlows } from '../../support/local-cluster/zero-trust-check.js';
import { sh } from '../../support/netns/topology.js';
import { waitFor } from '../../support/wait-for.js';

const table = 'netmapsnat';

/**
 * Traffic to the internet masqueraded by the node on its uplink, as most clusters do: the sniffer
 * (on every interface of the node) sees each call twice, from the pod before the node rewrites
 * it and from the node's uplink address after. The second must add nothing, and the internet
 * target stays the pod's. The local cluster's bridge does not masquerade (docs/local-cluster.md);
 * this test adds the rule to the node's namespace for its duration.
 */
export function describeSnatToInternet(cluster: () => LocalCluster, windowSeconds: number): void {
  it('adds nothing for internet traffic the node masquerades on its way out, and keeps the internet targets the pods\'', async function () {
    this.timeout(90_000);
    const { admin, network } = cluster();
    const mapOf = async (): Promise<string[]> => (await listIntents(admin)).map((i) => `${i.namespace}/${i.name} ${i.spec.targets.map(targetKey).sort().join(' ')}`).sort();
    const mapBefore = await mapOf();
    const startedAt = Date.now();
    const nft = (...args: string[]): Promise<string> => sh('ip', 'netns', 'exec', network.netns, 'nft', ...args);
    await nft('add', 'table', 'ip', table);
    await nft('add', 'chain', 'ip', table, 'postrouting', '{ type nat hook postrouting priority srcnat; policy accept; }');
    await nft('add', 'rule', 'ip', table, 'postrouting', 'ip', 'saddr', network.podCidr4, 'ip', 'daddr', network.internet.ip, 'masquerade');
    try {
      // The sniffer reported the rewritten calls, from the node's uplink address, and the operator processed them.
      await waitFor('a processed observation of a call from the node\'s uplink address to the internet', async () => {
        const list = await admin.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
          group: networkObservationDefinition.group, version: networkObservationDefinition.version, plural: networkObservationDefinition.plural, namespace: observationNamespace,
        }) as { items: { spec: NetworkObservationSpec; status?: { phase?: string } }[] };
        return list.items.some((o) => o.status?.phase === 'Processed' && o.spec.connections.some((c) =>
          c.clientIP === network.internet.nodeSideIP && c.serverIP === network.internet.ip && Date.parse(c.firstSeen) >= startedAt - 1000));
      }, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 2 * windowSeconds * 1000));
      const [web] = await measureFlows(admin, [{ namespace: 'e2e-shop', podPrefix: 'web-', url: 'http://api.payments.example/' }], startedAt, Date.now());
      expect(web!.kept, `web's calls through the masquerade answered: ${JSON.stringify(web!.count)}`).to.equal(true);
    } finally {
      await nft('delete', 'table', 'ip', table);
    }
    const mapAfter = await mapOf();
    expect(mapAfter).to.deep.equal(mapBefore);
    expect(mapAfter.find((line) => line.startsWith('e2e-shop/web '))).to.include('internet:api.payments.example:80');
  });
}
