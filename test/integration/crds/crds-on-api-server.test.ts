import { expect } from 'chai';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { observationBounds } from '../../../src/crds/bounds.js';
import { rejection } from '../../support/api-error.js';
import { installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';

const namespace = 'crd-tests';
const now = '2026-11-26T03:00:00Z';
const connection = {
  clientIP: '10.244.0.5', serverIP: 'fd00:10:96::a', serverPort: 8080, protocol: 'TCP',
  sources: ['SYN', 'SocketScan'], firstSeen: now, lastSeen: now, count: 3,
};
const dnsAnswer = { clientIP: 'fd00::5', name: 'cart.shop.svc.cluster.local', ips: ['10.96.0.10'], ttlSeconds: 5, firstSeen: now, lastSeen: now, count: 1 };

function observation(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'netmap.dev/v1alpha1', kind: 'NetworkObservation', metadata: { name, namespace }, spec };
}
const validSpec = { nodeName: 'node-a', windowStart: now, windowEnd: now, dnsAnswers: [dnsAnswer], connections: [connection] };
const httpRequest = {
  clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, path: '/users/{*}', methods: ['GET', 'HEAD', 'POST'], firstSeen: now, lastSeen: now, count: 4,
};
const httpSpec = { ...validSpec, httpRequests: [httpRequest], httpOverflow: [{ clientIP: '10.244.0.5', serverIP: '10.96.0.10', serverPort: 8080, count: 12 }] };

function intents(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'k8s.otterize.com/v2beta1', kind: 'ClientIntents', metadata: { name, namespace }, spec };
}

describe('CRDs on a real API server', function () {
  this.timeout(90_000);
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  const obs = { group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace };
  const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents', namespace };

  before(async () => {
    kc = (await sharedControlPlane()).admin();
    await installCrds(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  it('stores a valid NetworkObservation and its status through the status subresource', async () => {
    await custom.createNamespacedCustomObject({ ...obs, body: observation('valid', validSpec), fieldValidation: 'Strict' });
    await custom.patchNamespacedCustomObjectStatus({
      ...obs,
      name: 'valid',
      body: { status: { phase: 'Processed', processedAt: now, unresolved: [{ reason: 'HostNetwork', count: 2 }] } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const stored = (await custom.getNamespacedCustomObject({ ...obs, name: 'valid' })) as { spec: unknown; status: { phase: string } };
    expect(stored.spec).to.deep.equal(validSpec);
    expect(stored.status.phase).to.equal('Processed');
  });

  it('stores HTTP requests and overflow counts (HTTP capture)', async () => {
    await custom.createNamespacedCustomObject({ ...obs, body: observation('http', httpSpec), fieldValidation: 'Strict' });
    const stored = (await custom.getNamespacedCustomObject({ ...obs, name: 'http' })) as { spec: unknown };
    expect(stored.spec).to.deep.equal(httpSpec);
  });

  it('defaults the record lists of an empty window', async () => {
    await custom.createNamespacedCustomObject({ ...obs, body: observation('empty', { nodeName: 'node-a', windowStart: now, windowEnd: now }) });
    const stored = (await custom.getNamespacedCustomObject({ ...obs, name: 'empty' })) as { spec: { dnsAnswers: unknown[]; connections: unknown[] } };
    expect(stored.spec.dnsAnswers).to.deep.equal([]);
    expect(stored.spec.connections).to.deep.equal([]);
  });

  const rejected: [string, Record<string, unknown>, RegExp][] = [
    ['a port of the wrong type', { ...validSpec, connections: [{ ...connection, serverPort: '8080' }] }, /serverPort.*must be of type integer|serverPort: Invalid value: "string"/],
    ['a port out of range', { ...validSpec, connections: [{ ...connection, serverPort: 0 }] }, /serverPort.*should be greater than or equal to 1/],
    ['a bad client IP', { ...validSpec, connections: [{ ...connection, clientIP: '10.0.0.300' }] }, /clientIP.*must be an IPv4 or IPv6 address/],
    ['a bad resolved IP', { ...validSpec, dnsAnswers: [{ ...dnsAnswer, ips: ['not-an-ip'] }] }, /ips\[0\].*must be an IPv4 or IPv6 address/],
    ['too many connections', { ...validSpec, connections: Array(observationBounds.connectionsPerObject + 1).fill(connection) }, /connections: Too many: 2001: must have at most 2000 items/],
    ['an unknown capture source', { ...validSpec, connections: [{ ...connection, sources: ['eBPF'] }] }, /sources\[0\].*Unsupported value: "eBPF"/],
    ['a missing node name', { windowStart: now, windowEnd: now }, /spec.nodeName: Required value/],
    ['a bad timestamp', { ...validSpec, windowStart: 'yesterday' }, /windowStart.*date-time/],
    ['an HTTP path with a query or a space', { ...validSpec, httpRequests: [{ ...httpRequest, path: '/a b' }] }, /httpRequests\[0\].path.*should match/],
    ['an HTTP path that does not start with /', { ...validSpec, httpRequests: [{ ...httpRequest, path: 'users' }] }, /httpRequests\[0\].path.*should match/],
    ['an unknown HTTP method', { ...validSpec, httpRequests: [{ ...httpRequest, methods: ['BREW'] }] }, /methods\[0\].*Unsupported value: "BREW"/],
    ['too many HTTP requests', { ...validSpec, httpRequests: Array(observationBounds.httpRequestsPerObject + 1).fill(httpRequest) }, /httpRequests: Too many/],
  ];
  for (const [what, spec, message] of rejected) {
    it(`rejects a NetworkObservation with ${what}`, async () => {
      const { code, message: text } = await rejection(
        custom.createNamespacedCustomObject({ ...obs, body: observation('bad', spec) }),
      );
      expect(code).to.equal(422);
      expect(text).to.match(message);
    });
  }

  it('rejects unknown fields under strict field validation', async () => {
    const { code, message } = await rejection(
      custom.createNamespacedCustomObject({ ...obs, body: observation('strict', { ...validSpec, color: 'red' }), fieldValidation: 'Strict' }),
    );
    expect(code).to.equal(400);
    expect(message).to.match(/unknown field "spec.color"/);
  });

  it('stores the ClientIntents shapes network-mapper writes', async () => {
    const spec = {
      workload: { name: 'checkout', kind: 'Deployment' },
      targets: [
        { kubernetes: { name: 'cart', kind: 'Deployment' } },
        { kubernetes: { name: 'payments.billing' } },
        { service: { name: 'kubernetes.default' } },
        { internet: { domains: ['api.stripe.com'], ports: [443] } },
      ],
    };
    await custom.createNamespacedCustomObject({ ...ci, body: intents('checkout', spec), fieldValidation: 'Strict' });
    const stored = (await custom.getNamespacedCustomObject({ ...ci, name: 'checkout' })) as { spec: unknown };
    expect(stored.spec).to.deep.equal(spec);
  });

  const badIntents: [string, Record<string, unknown>, RegExp][] = [
    ['a target with two keys', { workload: { name: 'a' }, targets: [{ kubernetes: { name: 'x' }, service: { name: 'y' } }] }, /exactly one of/],
    ['a dotted workload name', { workload: { name: 'my-app.4' }, targets: [] }, /spec.workload.name/],
    ['a target name with two dots', { workload: { name: 'a' }, targets: [{ kubernetes: { name: 'a.b.c' } }] }, /spec.targets\[0\].kubernetes.name/],
    ['an internet target with neither domains nor ips', { workload: { name: 'a' }, targets: [{ internet: { ports: [443] } }] }, /needs domains or ips/],
    ['an internet target with a bad CIDR', { workload: { name: 'a' }, targets: [{ internet: { ips: ['10.0.0.0/40'] } }] }, /must be an IP address or a CIDR/],
  ];
  for (const [what, spec, message] of badIntents) {
    it(`rejects a ClientIntents with ${what}`, async () => {
      const { code, message: text } = await rejection(custom.createNamespacedCustomObject({ ...ci, body: intents('bad', spec) }));
      expect(code).to.equal(422);
      expect(text).to.match(message);
    });
  }
});
