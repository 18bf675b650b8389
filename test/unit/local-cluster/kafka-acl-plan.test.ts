import { expect } from 'chai';
import { aclsFromMap, otterizeOperatorKafkaTargets, otterizePrincipal, serverConfigAcls } from '../../support/local-cluster/kafka-acl-plan.js';

describe('Kafka ACLs Otterize makes of the map (local cluster check)', () => {
  it('names a client\'s principal from its workload and namespace, as the Intents Operator\'s template with a CN-only certificate', () => {
    expect(otterizePrincipal('order-service', 'sales')).to.equal('User:CN=order-service.sales');
  });

  it('asks for one ALLOW per topic operation of the kafka targets naming the broker, in Kafka\'s operation names, sorted', () => {
    const acls = aclsFromMap([
      { namespace: 'logistics', spec: { workload: { name: 'shipper', kind: 'Deployment' }, targets: [
        { kubernetes: { name: 'kafka.kafka', kind: 'StatefulSet' } },
        { kafka: { name: 'kafka.kafka', topics: [{ name: 'shipping', operations: ['produce', 'describe'] }, { name: 'orders', operations: ['consume', 'describe'] }] } },
        // Another broker's target is not this broker's ACL.
        { kafka: { name: 'other.kafka', topics: [{ name: 'orders', operations: ['all'] }] } },
      ] } },
      { namespace: 'ops', spec: { workload: { name: 'admin' }, targets: [{ kafka: { name: 'kafka.kafka', topics: [{ name: 'orders', operations: ['AlterConfigs', 'IdempotentWrite', 'all'] }] } }] } },
    ], 'kafka.kafka');
    expect(acls).to.deep.equal([
      'TOPIC LITERAL orders User:CN=admin.ops * ALL ALLOW',
      'TOPIC LITERAL orders User:CN=admin.ops * ALTER_CONFIGS ALLOW',
      'TOPIC LITERAL orders User:CN=admin.ops * IDEMPOTENT_WRITE ALLOW',
      'TOPIC LITERAL orders User:CN=shipper.logistics * DESCRIBE ALLOW',
      'TOPIC LITERAL orders User:CN=shipper.logistics * READ ALLOW',
      'TOPIC LITERAL shipping User:CN=shipper.logistics * DESCRIBE ALLOW',
      'TOPIC LITERAL shipping User:CN=shipper.logistics * WRITE ALLOW',
    ]);
  });

  it('asks for none for the ClientIntents of Otterize\'s own operator (Otterize skips them)', () => {
    expect(aclsFromMap([{ namespace: 'otterize-system', spec: { workload: { name: 'intents-operator' }, targets: [{ kafka: { name: 'kafka.kafka', topics: [{ name: 'orders', operations: ['describe'] }] } }] } }], 'kafka.kafka'))
      .to.deep.equal([]);
  });

  it('makes the KafkaServerConfig\'s topic * ACLs: anonymous denied, identified clients allowed until intents are required, groups open', () => {
    expect(serverConfigAcls(false)).to.deep.equal([
      'GROUP LITERAL * User:* * DESCRIBE ALLOW', 'GROUP LITERAL * User:* * READ ALLOW', 'TOPIC LITERAL * User:* * ALL ALLOW', 'TOPIC LITERAL * User:ANONYMOUS * ALL DENY',
    ]);
    expect(serverConfigAcls(true)).to.deep.equal(['GROUP LITERAL * User:* * DESCRIBE ALLOW', 'GROUP LITERAL * User:* * READ ALLOW', 'TOPIC LITERAL * User:ANONYMOUS * ALL DENY']);
  });

  it('expects Otterize\'s operator to call the API server and the broker and describe the topics it lists', () => {
    expect(otterizeOperatorKafkaTargets(['shipping', '__consumer_offsets', 'orders'])).to.deep.equal([
      'service:kubernetes.default', 'kubernetes:kafka.kafka#StatefulSet', 'kafka:kafka.kafka topics[__consumer_offsets: describe; orders: describe; shipping: describe]',
    ]);
  });
});
