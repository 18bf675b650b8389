import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WebhookCertificates {
  /** PEM of the CA that signed the serving certificate: the webhooks' caBundle. */
  readonly caPem: string;
  /** Holds tls.crt and tls.key, as controller-runtime's webhook server reads them. */
  readonly servingDir: string;
}

/**
 * A CA and a serving certificate for the webhook server, valid for loopback and for the Service
 * name Otterize's own self-signed flow uses. openssl is on every machine of this kind; Node has
 * no API that issues X.509 certificates.
 */
export function makeWebhookCertificates(dir: string, serviceDnsName: string): WebhookCertificates {
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const path = (name: string): string => join(dir, name);
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=netmap-test-webhook-ca',
    '-keyout', path('ca.key'), '-out', path('ca.crt'));
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${serviceDnsName}`, '-keyout', path('tls.key'), '-out', path('tls.csr'));
  writeFileSync(path('san.cnf'), `subjectAltName=IP:127.0.0.1,DNS:${serviceDnsName}\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', path('tls.csr'), '-CA', path('ca.crt'), '-CAkey', path('ca.key'), '-CAcreateserial', '-days', '2',
    '-extfile', path('san.cnf'), '-out', path('tls.crt'));
  return { caPem: readFileSync(path('ca.crt'), 'utf8'), servingDir: dir };
}
