import { expect } from 'chai';
import type { NetworkObservationSpec } from '../../../src/crds/network-observation.js';
import { evidenceAnnotation } from '../../../src/operator/core/evidence.js';
import { httpOverflowAnnotation } from '../../../src/operator/core/http-intents.js';
import { operatorTestCluster, observationProcessed, seen, startLeadingOperator, testSettings, waitFor, writesOf, type Cluster, type RunningOperator } from './cluster-fixtures.js';

const opNs = 'netmap-http';
const appNs = 'http-app';

type HttpRecord = NonNullable<NetworkObservationSpec['httpRequests']>[number];
const request = (serverIP: string, serverPort: number, path: string, methods: HttpRecord['methods']): HttpRecord =>
  ({ clientIP: '10.249.0.10', serverIP, serverPort, path, methods, ...seen() });

/**
 * HTTP_PATHS on: the operator (as its ServiceAccount, on the real API server) resolves the
 * sniffers' httpRequests like connections and writes `http` on the kubernetes target, with the
 * overflow annotation; a restarted operator rebuilds the paths and writes nothing.
 */
describe('HTTP paths on kubernetes targets (real API server)', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  let running: RunningOperator;
  let operatorKc: Awaited<ReturnType<typeof operatorTestCluster>>['operatorKc'];
  let clusterIP: string;

  before(async () => {
    ({ cluster, operatorKc } = await operatorTestCluster(opNs, [appNs]));
    running = await startLeadingOperator(operatorKc, testSettings(opNs, 'http', { httpPaths: true }));
    await cluster.deployment(appNs, 'frontend', '10.249.0.10');
    const cart = await cluster.deployment(appNs, 'cart', '10.249.0.11');
    [clusterIP] = (await cluster.service(appNs, 'cart', [{ name: cart.metadata!.name!, ip: '10.249.0.11' }])) as [string];
  });

  after(async () => {
    await running?.stop();
  });

  it('writes paths and merged methods on the target, the overflow as an annotation, HTTP in the evidence', async () => {
    await cluster.observation(opNs, 'http-1', {
      httpRequests: [
        request(clusterIP, 80, '/users/{*}', ['GET']),
        request('10.249.0.11', 8080, '/users/{*}', ['DELETE']),
        request(clusterIP, 80, '/orders', ['POST']),
        request(clusterIP, 80, '/healthz', ['HEAD']),
      ],
      httpOverflow: [{ clientIP: '10.249.0.10', serverIP: clusterIP, serverPort: 80, count: 9 }],
    });
    await observationProcessed(cluster, opNs, 'http-1');
    const written = await waitFor('frontend ClientIntents with http', async () => {
      const ci = await cluster.intents(appNs, 'frontend');
      return ci?.spec.targets.length ? ci : undefined;
    });
    expect(written.spec.targets).to.deep.equal([{
      kubernetes: { name: 'cart', kind: 'Deployment', http: [{ path: '/orders', methods: ['POST'] }, { path: '/users/{*}', methods: ['DELETE', 'GET'] }] },
    }]);
    expect(written.metadata?.annotations?.[httpOverflowAnnotation]).to.equal('{"kubernetes:cart#Deployment":9}');
    expect(JSON.parse(written.metadata?.annotations?.[evidenceAnnotation] ?? '{}')['kubernetes:cart#Deployment'].by).to.deep.equal(['HTTP']);
  });

  it('adds a method seen later, and a restarted operator rebuilds the paths without writing', async () => {
    await cluster.observation(opNs, 'http-2', { httpRequests: [request(clusterIP, 80, '/orders', ['GET'])] });
    await waitFor('GET on /orders', async () => {
      const http = ((await cluster.intents(appNs, 'frontend'))?.spec.targets[0]?.kubernetes as { http?: { path: string; methods: string[] }[] } | undefined)?.http;
      return http?.find((h) => h.path === '/orders')?.methods.join(',') === 'GET,POST' ? true : undefined;
    });
    const before = (await cluster.intents(appNs, 'frontend'))!;
    await running.stop();
    running = await startLeadingOperator(operatorKc, testSettings(opNs, 'http-2', { httpPaths: true }));
    await cluster.observation(opNs, 'http-3', { httpRequests: [request(clusterIP, 80, '/users/{*}', ['GET'])] });
    await observationProcessed(cluster, opNs, 'http-3');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await writesOf(running.registry, 'clientintents')).to.equal(0);
    expect((await cluster.intents(appNs, 'frontend'))?.metadata?.resourceVersion).to.equal(before.metadata?.resourceVersion);
  });
});
