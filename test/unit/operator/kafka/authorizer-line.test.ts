import { expect } from 'chai';
import fc from 'fast-check';
import { ignoredReasons, parseAuthorizerLine, readAuthorizerLine, type AuthorizerRecord } from '../../../../src/operator/core/kafka/authorizer-line.js';
import { aclMessage, base, kafkaOperationNames, layout, matchingAclRule, pascalCase, resourceTypeNames, standardMessage, tlsPrincipal, type AuditFields } from './authorizer-fixtures.js';

const formats = [
  { name: 'standard', message: standardMessage },
  { name: 'acl', message: aclMessage },
] as const;

const otterizeFor: Record<(typeof kafkaOperationNames)[number], string | null> = {
  ALL: 'all',
  READ: 'consume',
  WRITE: 'produce',
  CREATE: 'create',
  DELETE: 'delete',
  ALTER: 'alter',
  DESCRIBE: 'describe',
  CLUSTER_ACTION: 'ClusterAction',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  ALTER_CONFIGS: 'AlterConfigs',
  IDEMPOTENT_WRITE: 'IdempotentWrite',
  CREATE_TOKENS: null,
  DESCRIBE_TOKENS: null,
};

function line(format: (typeof formats)[number], fields: Partial<AuditFields> = {}): string {
  const f = { ...base, ...fields };
  return layout(format.message(f), f.allowed);
}

describe('Kafka authorizer lines', () => {
  for (const format of formats) {
    describe(`${format.name} format`, () => {
      it('reads every operation on a literal topic, as Otterize names it', () => {
        for (const operation of kafkaOperationNames) {
          const result = readAuthorizerLine(line(format, { operation }));
          const expected = otterizeFor[operation];
          if (expected === null) expect(result, operation).to.deep.equal({ ok: false, reason: 'not-in-otterize' });
          else expect(result, operation).to.deep.equal({ ok: true, access: { host: '10.244.1.7', topic: 'orders', operation: expected, principal: 'User:ANONYMOUS' } });
        }
      });

      it('gives every field of the record', () => {
        const record = parseAuthorizerLine(line(format, { principal: tlsPrincipal, operation: 'DESCRIBE_CONFIGS', resourceName: 'shipping.v2_eu-1', request: 'DescribeConfigs', refCount: 3 }));
        const expected: AuthorizerRecord = {
          format: format.name,
          principal: tlsPrincipal,
          allowed: true,
          operation: format.name === 'standard' ? 'DESCRIBE_CONFIGS' : 'DescribeConfigs',
          host: '10.244.1.7',
          resourceType: 'Topic',
          patternType: 'LITERAL',
          resourceName: 'shipping.v2_eu-1',
          request: 'DescribeConfigs',
          resourceRefCount: 3,
          ...(format.name === 'standard' ? { rule: 'DefaultAllow' } : {}),
        };
        expect(record).to.deep.equal(expected);
      });

      it('ignores denied lines, other resources and prefixed patterns, each under its reason', () => {
        expect(readAuthorizerLine(line(format, { allowed: false }))).to.deep.equal({ ok: false, reason: 'denied' });
        for (const resourceType of resourceTypeNames.filter((t) => t !== 'TOPIC')) {
          expect(readAuthorizerLine(line(format, { resourceType, operation: 'DESCRIBE', resourceName: 'kafka-cluster' })), resourceType).to.deep.equal({ ok: false, reason: 'not-topic' });
        }
        expect(readAuthorizerLine(line(format, { patternType: 'PREFIXED', resourceName: 'ord' }))).to.deep.equal({ ok: false, reason: 'not-literal' });
      });

      it('counts an unknown operation and still reads the lines around it', () => {
        const lines = [line(format), line(format, { operation: 'TWO_PHASE_COMMIT' }), line(format, { operation: 'READ', request: 'Fetch' })];
        const results = lines.map(readAuthorizerLine);
        expect(results.map((r) => (r.ok ? r.access.operation : r.reason))).to.deep.equal(['produce', 'unknown-operation', 'consume']);
      });

      it('keeps a principal with spaces, commas and the line\'s own words', () => {
        const principal = 'User:CN=a is Allowed operation = READ from host = 1.2.3.4, O=x is Denied Operation = y';
        const record = parseAuthorizerLine(line(format, { principal }));
        expect(record).to.include({ principal, operation: format.name === 'standard' ? 'WRITE' : 'Write', resourceName: 'orders', allowed: true });
      });

      it('reads a group whose name holds spaces and the request words (and calls it not a topic)', () => {
        const resourceName = 'billing group for request = Fetch';
        const record = parseAuthorizerLine(line(format, { resourceType: 'GROUP', operation: 'READ', resourceName, request: 'JoinGroup' }));
        expect(record).to.include({ resourceType: 'Group', resourceName, request: 'JoinGroup' });
      });

      it('reads IPv6 hosts as Java writes them', () => {
        const result = readAuthorizerLine(line(format, { host: '2001:db8:0:0:0:0:0:17' }));
        expect(result).to.deep.include({ ok: true });
        expect(result.ok && result.access.host).to.equal('2001:db8:0:0:0:0:0:17');
      });
    });
  }

  it('reads the StandardAuthorizer rule of a matching ACL, whose principal has spaces', () => {
    const rule = matchingAclRule({ resourceType: 'TOPIC', resourceName: 'ord', patternType: 'PREFIXED', principal: tlsPrincipal, host: '*', operation: 'READ', permissionType: 'ALLOW' });
    const record = parseAuthorizerLine(layout(standardMessage({ ...base, principal: tlsPrincipal, operation: 'READ', request: 'Fetch', rule }), true));
    expect(record).to.include({ principal: tlsPrincipal, resourceName: 'orders', rule });
  });

  it('reads the line after a kubelet timestamp, without the layout suffix, and with CRLF', () => {
    const message = standardMessage(base);
    for (const text of [`2026-12-07T04:00:00.123456789Z ${layout(message, true)}`, message, `${layout(message, true)}\r`, `DEBUG ${message}`]) {
      expect(readAuthorizerLine(text), text).to.deep.include({ ok: true });
    }
  });

  it('reads the reference mapper\'s own sample line (AclAuthorizer, denied, SPIFFE-style DN principal)', () => {
    const sample =
      '[2023-03-12 13:51:55,904] INFO Principal = User:2.5.4.45=#13206331373734376636373865323137613636346130653335393130326638303662,CN=myclient.otterize-tutorial-kafka-mtls,O=SPIRE,C=US ' +
      'is Denied Operation = Describe from host = 10.244.0.27 on resource = Topic:LITERAL:mytopic for request = Metadata with resourceRefCount = 1 (kafka.authorizer.logger)';
    expect(parseAuthorizerLine(sample)).to.include({ format: 'acl', allowed: false, operation: 'Describe', resourceName: 'mytopic', host: '10.244.0.27' });
    expect(readAuthorizerLine(sample)).to.deep.equal({ ok: false, reason: 'denied' });
  });

  it('tells other lines from broken authorizer lines', () => {
    expect(readAuthorizerLine('[2026-12-07 04:00:00,123] INFO [KafkaRaftServer nodeId=1] Kafka Server started (kafka.server.KafkaRaftServer)')).to.deep.equal({ ok: false, reason: 'not-authorizer' });
    const good = layout(standardMessage(base), true);
    for (const broken of [
      good.replace('from host = 10.244.1.7', 'from host = kafka-client'),
      good.replace('resourceRefCount = 1', 'resourceRefCount = x'),
      good.replace(' based on rule DefaultAllow', ''),
      good.replace('Topic:LITERAL:orders', 'Topic-orders'),
      good.slice(0, good.indexOf(' on resource')),
      'Principal =  is Allowed operation = WRITE',
    ]) {
      expect(readAuthorizerLine(broken), broken).to.deep.equal({ ok: false, reason: 'malformed' });
    }
  });

  describe('fuzzed', () => {
    const principal = fc
      .tuple(fc.constantFrom('User', 'Group', 'ServiceAccount'), fc.string({ minLength: 1, maxLength: 80, unit: fc.constantFrom(...'aZ09 ,=:.#-_()'.split('')) }))
      .map(([type, name]) => `${type}:${name}`)
      .filter((p) => !p.includes(' is Allowed ') && !p.includes(' is Denied '));
    const topic = fc.string({ minLength: 1, maxLength: 249, unit: fc.constantFrom(...'abcXYZ019._-'.split('')) });
    const ipv4 = fc.ipV4();
    const fields = fc.record({
      principal,
      allowed: fc.boolean(),
      operation: fc.constantFrom(...kafkaOperationNames),
      host: fc.oneof(ipv4, fc.constant('2001:db8:0:0:0:0:0:1')),
      resourceType: fc.constantFrom(...resourceTypeNames),
      patternType: fc.constantFrom('LITERAL' as const, 'PREFIXED' as const),
      resourceName: topic,
      request: fc.constantFrom('Produce', 'Fetch', 'Metadata', 'OffsetCommit', 'CreateTopics', 'DescribeConfigs'),
      refCount: fc.nat({ max: 100_000 }),
    });

    it('round-trips every field of lines built in either format', () => {
      fc.assert(
        fc.property(fields, fc.constantFrom(...formats), (f, format) => {
          const record = parseAuthorizerLine(layout(format.message(f), f.allowed));
          expect(record).to.be.an('object');
          const r = record as AuthorizerRecord;
          expect(r.principal).to.equal(f.principal);
          expect(r.allowed).to.equal(f.allowed);
          expect(r.operation).to.equal(format.name === 'standard' ? f.operation : pascalCase(f.operation));
          expect([r.host, r.resourceType, r.patternType, r.resourceName, r.request, r.resourceRefCount]).to.deep.equal([f.host, pascalCase(f.resourceType), f.patternType, f.resourceName, f.request, f.refCount]);
          const read = readAuthorizerLine(layout(format.message(f), f.allowed));
          const grants = f.allowed && f.resourceType === 'TOPIC' && f.patternType === 'LITERAL' && otterizeFor[f.operation] !== null;
          expect(read.ok).to.equal(grants);
        }),
        { numRuns: 2000 },
      );
    });

    it('never throws, and answers a record or a known reason, on any text or any cut of a good line', () => {
      const anyText = fc.oneof(fc.string({ maxLength: 400 }), fc.string({ maxLength: 400, unit: 'grapheme' }));
      const cut = fc.tuple(fields, fc.constantFrom(...formats), fc.nat(), fc.string({ maxLength: 20 })).map(([f, format, at, junk]) => {
        const text = layout(format.message(f), f.allowed);
        const i = at % (text.length + 1);
        return text.slice(0, i) + junk + text.slice(i + junk.length);
      });
      fc.assert(
        fc.property(fc.oneof(anyText, cut), (text) => {
          const result = parseAuthorizerLine(text);
          if (typeof result === 'string') expect(ignoredReasons).to.include(result);
          else expect(result.principal.length).to.be.greaterThan(0);
        }),
        { numRuns: 5000 },
      );
    });
  });
});
