import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { createLogger } from '../../src/shared/logger.js';
import { startReporting } from '../../src/sniffer/shell/reporting/start-reporting.js';
import { startControlPlane } from '../../test/support/control-plane.js';
import { installCrds } from '../../test/support/crds.js';
import { snifferClient } from '../../test/support/sniffer-kube.js';
import { snifferKubeConfig } from '../../test/support/sniffer-rbac.js';
import { slotted } from '../../test/support/test-slot.js';
import { countingWrites, type WriteCount } from './counting-client.js';
import { demoNode, feedDemoSecond } from './demo-load.js';

/*
 * API write bytes per node per hour with a steady demo-like load (demo-load.ts: 5 pods, the same
 * tuples every window), through the sniffer's real reporting path (startReporting, its own
 * Kubernetes client, as its ServiceAccount) against the real API server; before (REREPORT_SECONDS=0:
 * every window re-sends every record) and after (REREPORT_SECONDS=300). Time runs 10x fast so that
 * one run stands for BENCH_SIMULATED_MINUTES (default 10) of cluster time: the window is 1 s for
 * 10 s, the re-report interval 30 s for 300 s, one "second" of load 100 ms. Bytes counted: each
 * write request's path and JSON body (HTTP headers and TLS come on top). A stand-in for the
 * operator deletes the written objects every second.
 * Run: node dist/bench/steady-state/write-bytes.bench.js (about 2.5 minutes).
 */
const scale = 10;
const simulatedMinutes = Number(process.env.BENCH_SIMULATED_MINUTES ?? 10);
const runMs = (simulatedMinutes * 60_000) / scale;
const namespace = slotted('netmap-steady');

const controlPlane = await startControlPlane();
try {
  const admin = controlPlane.admin();
  await installCrds(admin);
  await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  const sniffer = await snifferKubeConfig(controlPlane, namespace);
  const custom = admin.makeApiClient(CustomObjectsApi);
  const operatorStandIn = setInterval(() => {
    custom.deleteCollectionNamespacedCustomObject({ group: 'netmap.dev', version: 'v1alpha1', plural: 'networkobservations', namespace }).catch(() => undefined);
  }, 1000);
  const node = demoNode(0, 5, Array.from({ length: 8 }, (_, s) => `10.96.100.${s + 1}`));
  const results: { label: string; count: WriteCount; objects: number }[] = [];
  for (const { label, rereportSeconds } of [
    { label: 'before (REREPORT_SECONDS=0)', rereportSeconds: 0 },
    { label: 'after (REREPORT_SECONDS=300)', rereportSeconds: 300 },
  ]) {
    const count: WriteCount = { requests: 0, bytes: 0 };
    const registry = new Registry();
    const reporting = startReporting({
      kube: countingWrites(snifferClient(sniffer), count),
      namespace,
      nodeName: `node-${rereportSeconds}`,
      windowMs: 10_000 / scale,
      maxBufferBytes: 16 << 20,
      maxPendingObjects: 100,
      rereportMs: (rereportSeconds * 1000) / scale,
      registry,
      logger: createLogger('steady-bench', 'error'),
    });
    let second = 0;
    const feeder = setInterval(() => feedDemoSecond(reporting.buffer, node, second++, Date.now()), 1000 / scale);
    await new Promise((r) => setTimeout(r, runMs));
    clearInterval(feeder);
    await reporting.reporter.stop();
    const objects = (await registry.getSingleMetric('netmap_sniffer_objects_written_total')?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    results.push({ label, count, objects });
  }
  clearInterval(operatorStandIn);
  const perHour = 60 / simulatedMinutes;
  console.log('command: node dist/bench/steady-state/write-bytes.bench.js');
  console.log(`load per node: ${node.podIps.length} pods, 2 SYN + 3 open connections each per second, 2 DNS answers each per 5 s; ${simulatedMinutes} simulated minutes per run (10x time)`);
  for (const { label, count, objects } of results) {
    console.log(`${label}: ${Math.round(count.bytes * perHour / 1024)} KiB/node/hour in ${Math.round(count.requests * perHour)} writes (${Math.round(objects * perHour)} NetworkObservations/node/hour)`);
  }
  const [before, after] = results;
  console.log(`ratio: ${(before!.count.bytes / Math.max(1, after!.count.bytes)).toFixed(1)}x fewer bytes, ${(before!.objects / Math.max(1, after!.objects)).toFixed(1)}x fewer objects (each also costs the operator a status patch and a delete)`);
} finally {
  await controlPlane.stop();
}
