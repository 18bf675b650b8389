import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { kafkaClients } from '../../support/local-cluster/kafka-demo.js';
import { kafkaIdentities, makeKafkaCertificates, otterizeTlsSecret } from '../../support/local-cluster/kafka-tls.js';

const openssl = (args: string[], input?: string): string => execFileSync('openssl', args, { encoding: 'utf8', input });

describe('the local cluster\'s Kafka TLS identities (openssl, integration)', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'netmap-kafka-tls-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes one certificate per workload, signed by a CA of its own, with the subject Otterize names the principal by', async () => {
    const identities = kafkaIdentities(kafkaClients);
    const certificates = await makeKafkaCertificates(dir, identities);
    expect([...certificates.keys()].map((i) => `${i.namespace}/${i.secret} CN=${i.commonName}`)).to.deep.equal([
      'kafka/kafka-tls CN=kafka.kafka',
      'sales/kafka-tls CN=order-service.sales',
      'logistics/kafka-tls CN=shipper.logistics',
      'audit/kafka-tls CN=topic-auditor.audit',
      `otterize-system/${otterizeTlsSecret} CN=intents-operator.otterize-system`,
    ]);
    for (const [identity, files] of certificates) {
      const caFile = join(dir, 'ca.crt');
      // RFC 2253, as Kafka writes an SSL principal.
      expect(openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], files['tls.crt']).trim()).to.equal(`subject=CN=${identity.commonName}`);
      expect(openssl(['verify', '-CAfile', caFile], files['tls.crt']).trim()).to.equal('stdin: OK');
      // PKCS#8, unencrypted: what Kafka's PEM key store and Go's TLS read.
      expect(files['tls.key']).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
    }
    const broker = [...certificates].find(([i]) => i.commonName === 'kafka.kafka')![1];
    expect(openssl(['x509', '-noout', '-ext', 'subjectAltName'], broker['tls.crt'])).to.include('DNS:kafka.kafka, DNS:kafka.kafka.svc, DNS:kafka.kafka.svc.cluster.local, DNS:*.kafka.kafka.svc.cluster.local');
  });

  it('makes a new CA each time (a local cluster never trusts another one\'s certificates)', async () => {
    const [identity] = kafkaIdentities(kafkaClients);
    const first = (await makeKafkaCertificates(dir, [identity!])).get(identity!)!['ca.crt'];
    const second = (await makeKafkaCertificates(dir, [identity!])).get(identity!)!['ca.crt'];
    expect(second).not.to.equal(first);
  });
});
