import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { applyManifests } from './local-cluster.js';

const run = promisify(execFile);

/** A workload's TLS identity as a Secret in the cert-manager shape (`tls.crt`, `tls.key`, `ca.crt`). */
export interface KafkaIdentity {
  readonly namespace: string;
  readonly secret: string;
  /** The certificate's subject: `CN=<workload>.<namespace>`, Kafka's principal `User:CN=...`. */
  readonly commonName: string;
  /** DNS names the certificate is valid for (the broker's: the names its clients dial). */
  readonly dnsNames?: readonly string[];
}

/** The Secret each Kafka pod of the demo mounts (demo/kafka.yaml). */
export const kafkaTlsSecret = 'kafka-tls';
/** Where Otterize's chart mounts the operator's certificate from, with global.certificateProvider=cert-manager. */
export const otterizeTlsSecret = 'intents-operator-spire-tls-controller-manager';
/** The identity Otterize's operator administers the broker with: a super user there (kafka-broker.sh). */
export const otterizeOperatorCommonName = 'intents-operator.otterize-system';

/**
 * The demo's identities: the broker (valid for the Service's and its pod's names), its three
 * clients named as Otterize's Intents Operator names their principals (`CN=<workload>.<namespace>`,
 * the template `CN=$ServiceName.$Namespace` plus whatever else the operator's own subject holds:
 * nothing here), and the operator itself.
 */
export function kafkaIdentities(clients: readonly { namespace: string; workload: string }[]): KafkaIdentity[] {
  return [
    {
      namespace: 'kafka', secret: kafkaTlsSecret, commonName: 'kafka.kafka',
      dnsNames: ['kafka.kafka', 'kafka.kafka.svc', 'kafka.kafka.svc.cluster.local', '*.kafka.kafka.svc.cluster.local', 'localhost'],
    },
    ...clients.map((c) => ({ namespace: c.namespace, secret: kafkaTlsSecret, commonName: `${c.workload}.${c.namespace}` })),
    { namespace: 'otterize-system', secret: otterizeTlsSecret, commonName: otterizeOperatorCommonName },
  ];
}

const openssl = async (...args: string[]): Promise<void> => {
  await run('openssl', args, { timeout: 30_000 });
};

/**
 * A new CA and one certificate per identity (EC P-256, PKCS#8 keys, valid 7 days), made with
 * openssl in `dir` (emptied first: each local cluster gets its own, in well under a second). Kafka
 * reads PEM key stores directly, Otterize's operator PEM files: nothing needs a Java key store.
 */
export async function makeKafkaCertificates(dir: string, identities: readonly KafkaIdentity[]): Promise<Map<KafkaIdentity, Record<'tls.crt' | 'tls.key' | 'ca.crt', string>>> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caCert,
    '-days', '7', '-subj', '/CN=network-mapper local cluster Kafka CA');
  const result = new Map<KafkaIdentity, Record<'tls.crt' | 'tls.key' | 'ca.crt', string>>();
  for (const identity of identities) {
    const base = join(dir, identity.commonName);
    await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${identity.commonName}`);
    const extensions = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature',
      ...(identity.dnsNames ? [`subjectAltName=${identity.dnsNames.map((n) => `DNS:${n}`).join(',')}`] : [])];
    writeFileSync(`${base}.ext`, `${extensions.join('\n')}\n`);
    await openssl('x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-out', `${base}.crt`, '-days', '7', '-extfile', `${base}.ext`);
    result.set(identity, { 'tls.crt': readFileSync(`${base}.crt`, 'utf8'), 'tls.key': readFileSync(`${base}.key`, 'utf8'), 'ca.crt': readFileSync(caCert, 'utf8') });
  }
  return result;
}

/** Creates each identity's namespace and its Secret (type kubernetes.io/tls, with ca.crt, as cert-manager writes them). */
export async function applyKafkaTlsSecrets(admin: KubeConfig, dir: string, identities: readonly KafkaIdentity[]): Promise<void> {
  const certificates = await makeKafkaCertificates(dir, identities);
  const documents = [...new Set(identities.map((i) => i.namespace))].map((namespace) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
  for (const [identity, data] of certificates) {
    documents.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: identity.secret, namespace: identity.namespace }, type: 'kubernetes.io/tls', stringData: data } as never);
  }
  await applyManifests(admin, documents.map((d) => JSON.stringify(d)).join('\n---\n'));
}
