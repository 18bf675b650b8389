import { expect } from 'chai';
import { listIntentItems, listIntents, mapDifferences, targetKey } from '../../support/local-cluster/expected-intents.js';
import { otterizeOperatorKafkaTargets, otterizeOperatorWorkload, serverConfigAcls } from '../../support/local-cluster/kafka-acl-plan.js';
import { aclsOfMap, applyKafkaServerConfig, deleteOperatorBootstrapPolicies, mappedCallsSince, operatorLinesSince, produceOnceAs, reconcileKafkaIntents, waitForBrokerAcls } from '../../support/local-cluster/kafka-acls.js';
import { kafkaBroker, kafkaIntents, waitForKafkaMap } from '../../support/local-cluster/kafka-demo.js';
import type { LocalCluster } from '../../support/local-cluster/local-cluster.js';
import { otterizeOwnIntents } from '../../support/otterize/otterize-own-intents.js';
import { appliedByOtterize } from '../../support/otterize/otterize-policies.js';
import { waitFor } from '../../support/wait-for.js';

/**
 * The end-to-end test's Kafka loop with Otterize (docs/kafka.md, "ACLs from the map"), after the
 * exact map and Otterize's own part: a KafkaServerConfig for the demo's broker, Otterize's Intents
 * Operator writing the map's kafka targets as ACLs into the real broker (read back with Kafka's
 * Admin API), first beside an allow-all for identified clients, then enforced; the mapped clients
 * still working, and what the map lacks refused by the broker.
 */
export function describeKafkaAcls(cluster: () => LocalCluster): void {
  const kubeconfig = (): string => cluster().controlPlane.kubeconfigPath;
  /** From the map's ClientIntents as written (Otterize writes ACLs from exactly these). */
  const mapAcls = (): Promise<string[]> => aclsOfMap(cluster().admin);
  let enforcedAt = 0;

  it('has Otterize write the map\'s kafka targets as ACLs in the real broker: every ACL read back is one the map or the KafkaServerConfig asked for, and every mapped topic operation has one', async function () {
    this.timeout(240_000);
    await waitForKafkaMap(cluster().admin, 30_000);
    // Identified clients still allowed everything: the ACLs are written, nothing is refused yet.
    await applyKafkaServerConfig(cluster().admin, false);
    await waitForBrokerAcls(kubeconfig(), async () => serverConfigAcls(false), 90_000);
    const nudged = await reconcileKafkaIntents(cluster().admin, kafkaBroker, new Date());
    expect(nudged.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).to.include.members(kafkaIntents.map((i) => `${i.namespace}/${i.workload}`));
    const acls = await waitForBrokerAcls(kubeconfig(), async () => [...await mapAcls(), ...serverConfigAcls(false)].sort(), 90_000);
    // Every topic operation of the demo's expected map (docs/local-cluster.md, "Kafka") has its ACL, and no other.
    const mapped = acls.filter((line) => line.includes(' User:CN='));
    expect(mapped).to.deep.equal([
      'TOPIC LITERAL orders User:CN=order-service.sales * DESCRIBE ALLOW',
      'TOPIC LITERAL orders User:CN=order-service.sales * WRITE ALLOW',
      'TOPIC LITERAL orders User:CN=shipper.logistics * DESCRIBE ALLOW',
      'TOPIC LITERAL orders User:CN=shipper.logistics * READ ALLOW',
      'TOPIC LITERAL orders User:CN=topic-auditor.audit * DESCRIBE ALLOW',
      'TOPIC LITERAL shipping User:CN=shipper.logistics * DESCRIBE ALLOW',
      'TOPIC LITERAL shipping User:CN=shipper.logistics * WRITE ALLOW',
      'TOPIC LITERAL shipping User:CN=topic-auditor.audit * DESCRIBE ALLOW',
    ]);
    console.log(`local-cluster: Kafka ACLs Otterize wrote from the map (read back with the Admin API):\n  ${acls.join('\n  ')}`);

    // Enforced: identified clients get only what their ACLs allow.
    await applyKafkaServerConfig(cluster().admin, true);
    const enforced = await waitForBrokerAcls(kubeconfig(), async () => [...await mapAcls(), ...serverConfigAcls(true)].sort(), 90_000);
    enforcedAt = Date.now();
    expect(enforced.filter((line) => line.startsWith('TOPIC LITERAL * '))).to.deep.equal(['TOPIC LITERAL * User:ANONYMOUS * ALL DENY']);
  });

  it('keeps the mapped clients working under the ACLs: the producer produces, the consumer group consumes and relays, the auditor describes', async function () {
    this.timeout(120_000);
    expect(enforcedAt, 'the ACLs were enforced').to.be.greaterThan(0);
    const since = new Date(enforcedAt + 1000);
    let state = await mappedCallsSince(cluster().admin, since);
    await waitFor('each mapped call working after enforcement', async () => {
      state = await mappedCallsSince(cluster().admin, since);
      return state.notYet.length === 0 || (await new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000)));
    }, 60_000).catch((error: Error) => { throw new Error(`${error.message}: not yet ${state.notYet.join(', ')}`, { cause: error }); });
    console.log(`local-cluster: under Otterize's ACLs: ${state.working.join(', ')}`);
    expect(state.refusals, 'refusals the mapped clients logged since the ACLs were enforced').to.deep.equal([]);
  });

  it('has the broker refuse what the map lacks: a topic the producer never used, an operation the auditor never made; and the map does not widen', async function () {
    this.timeout(150_000);
    const unmappedTopic = await produceOnceAs(kubeconfig(), 'sales', 'order-service', 'shipping');
    const unmappedOperation = await produceOnceAs(kubeconfig(), 'audit', 'topic-auditor', 'orders');
    // The same command with a mapped topic works: the refusals are the ACLs', not the command's.
    const mapped = await produceOnceAs(kubeconfig(), 'sales', 'order-service', 'orders');
    console.log(`local-cluster: under Otterize's ACLs: order-service -> shipping: ${unmappedTopic.result}; topic-auditor -> produce orders: ${unmappedOperation.result}; order-service -> orders: ${mapped.result}`);
    expect(unmappedTopic).to.deep.equal({ result: 'TOPIC_AUTHORIZATION_FAILED', status: 1 });
    expect(unmappedOperation).to.deep.equal({ result: 'TOPIC_AUTHORIZATION_FAILED', status: 1 });
    expect(mapped).to.deep.equal({ result: 'ok', status: 0 });
    // Refused attempts are no evidence: the Kafka map stays exactly the demo's, two sniffer windows on.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await waitForKafkaMap(cluster().admin, 10_000);
  });

  it('maps Otterize\'s operator as the broker\'s administrator (a super user describing every topic), writes no ACL for it, and lets it through on the map alone', async function () {
    this.timeout(180_000);
    const want = otterizeOwnIntents.find((i) => i.workload === otterizeOperatorWorkload.workload)!;
    const expected = [{ ...want, targets: otterizeOperatorKafkaTargets(['__consumer_offsets', 'orders', 'shipping']) }];
    let differences: string[] = [];
    await waitFor('the operator\'s ClientIntents with the broker', async () => {
      differences = mapDifferences(expected, (await listIntents(cluster().admin)).filter((i) => i.namespace === want.namespace && i.spec.workload.name === want.workload));
      return differences.length === 0;
    }, 60_000).catch((error: Error) => { throw new Error(`${error.message}: ${differences.join('; ')}`, { cause: error }); });
    const [operator] = (await listIntents(cluster().admin)).filter((i) => i.namespace === want.namespace && i.spec.workload.name === want.workload);
    console.log(`local-cluster: Otterize's operator in the map: ${operator!.spec.targets.map(targetKey).join(', ')}`);
    const acls = await waitForBrokerAcls(kubeconfig(), async () => [...await mapAcls(), ...serverConfigAcls(true)].sort(), 30_000);
    expect(acls.filter((line) => line.includes('intents-operator'))).to.deep.equal([]);

    // Its ClientIntents applied, Otterize's own policies let it reach the broker: the NetworkPolicies
    // added for it go, and its next reconcile still reaches the broker (its lines in the broker's log).
    await waitFor('the operator\'s ClientIntents applied by Otterize', async () =>
      (await listIntentItems(cluster().admin)).some((i) => i.metadata.namespace === want.namespace && i.spec.workload.name === want.workload && appliedByOtterize(i)), 60_000);
    await deleteOperatorBootstrapPolicies(cluster().admin);
    // kube-router applies a deleted policy within a few seconds.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const since = new Date();
    await reconcileKafkaIntents(cluster().admin, kafkaBroker, since);
    const lines = await waitFor('Otterize\'s operator in the broker\'s log after its policies went', async () => {
      const found = await operatorLinesSince(cluster().admin, since);
      return found.length > 0 ? found : (await new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000)));
    }, 60_000);
    expect(lines.some((line) => line.includes('on resource = Cluster:LITERAL:kafka-cluster') && line.includes('based on rule SuperUser')), lines.slice(0, 3).join('\n')).to.equal(true);
  });
}
