import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ClusterIndex } from '../../../../src/operator/core/cluster-index.js';
import { IntentsStore, clientKeyOf } from '../../../../src/operator/core/intents-store.js';
import { AccessWindow } from '../../../../src/operator/core/kafka/access-window.js';
import { parseAuthorizerLine, readAuthorizerLine } from '../../../../src/operator/core/kafka/authorizer-line.js';
import { resolveKafkaAccess } from '../../../../src/operator/core/kafka/kafka-resolver.js';
import type { WorkloadIdentity } from '../../../../src/operator/core/types.js';
import { pod, t0 } from '../fixtures.js';

/**
 * Lines a real Kafka 4.1.1 broker wrote (test/tools/kafka-broker/record-lines.sh, slot 6: the
 * broker at 10.66.6.1, the producer .2, the consumer group `shipper` .3, the describer .4).
 */
const lines = readFileSync(new URL('../../../../../test/unit/operator/kafka/fixtures/kafka-4.1.1-broker.log', import.meta.url), 'utf8').trimEnd().split('\n');

const identities: Record<string, WorkloadIdentity> = {
  '10.66.6.1': { namespace: 'kafka', name: 'kafka', kind: 'StatefulSet' },
  '10.66.6.2': { namespace: 'shop', name: 'order-producer', kind: 'Deployment' },
  '10.66.6.3': { namespace: 'shipping', name: 'shipper', kind: 'Deployment' },
  '10.66.6.4': { namespace: 'ops', name: 'topic-describer', kind: 'Deployment' },
};

describe('Kafka authorizer lines of a real Kafka 4.1.1 broker', () => {
  it('parses every authorizer line in the StandardAuthorizer format, with its rule', () => {
    const authorizer = lines.filter((l) => l.includes('(kafka.authorizer.logger)'));
    expect(authorizer.length).to.be.greaterThan(80);
    const records = authorizer.map(parseAuthorizerLine);
    expect(records.filter((r) => typeof r === 'string')).to.deep.equal([]);
    expect(new Set(records.map((r) => typeof r !== 'string' && r.format))).to.deep.equal(new Set(['standard']));
    expect(records.some((r) => typeof r !== 'string' && r.rule?.startsWith('MatchingAcl(acl=StandardAcl(resourceType=TOPIC, resourceName=aud, patternType=PREFIXED'))).to.equal(true);
  });

  it('counts each line under a reason or as an access, and maps each client\'s topics and operations', () => {
    const window = new AccessWindow(1000);
    for (const line of lines) {
      const result = readAuthorizerLine(line);
      if (result.ok) window.add(t0 + 1000, result.access);
      else window.ignore(result.reason);
    }
    const contents = window.flush();
    expect(contents.lines).to.equal(lines.length);
    const ignored = Object.fromEntries(contents.ignored);
    expect(ignored).to.include({ denied: 1, 'not-authorizer': 12 });
    expect(ignored).to.not.have.any.keys('malformed', 'unknown-operation', 'window-full');

    const index = new ClusterIndex({ clusterDomain: 'cluster.local', ipHistoryRetentionMs: 600_000 });
    for (const [ip, identity] of Object.entries(identities)) index.upsertPod(pod(identity.namespace, `${identity.name}-0`, [ip]), identity, t0);
    const store = new IntentsStore(1024);
    const outcome = resolveKafkaAccess(contents.groups, identities['10.66.6.1']!, index, store);
    expect(outcome.unresolved.get('self-call')).to.equal(1);
    const targets = (ip: string) => store.desired(clientKeyOf(identities[ip]!.namespace, identities[ip]!.name, identities[ip]!.kind))!.spec.targets;
    expect(targets('10.66.6.2')).to.deep.equal([
      {
        kafka: {
          name: 'kafka.kafka',
          topics: [
            { name: 'audit', operations: ['produce', 'describe'] },
            { name: 'orders', operations: ['produce', 'describe', 'DescribeConfigs'] },
            { name: 'shipping', operations: ['DescribeConfigs'] },
          ],
        },
      },
    ]);
    expect(targets('10.66.6.3')).to.deep.equal([
      { kafka: { name: 'kafka.kafka', topics: [{ name: 'orders', operations: ['consume', 'describe'] }, { name: 'shipping', operations: ['produce', 'describe'] }] } },
    ]);
    expect(targets('10.66.6.4')).to.deep.equal([
      {
        kafka: {
          name: 'kafka.kafka',
          topics: [
            { name: '__consumer_offsets', operations: ['describe'] },
            { name: 'audit', operations: ['describe'] },
            { name: 'orders', operations: ['describe', 'DescribeConfigs'] },
            { name: 'shipping', operations: ['describe', 'DescribeConfigs'] },
          ],
        },
      },
    ]);
  });
});
