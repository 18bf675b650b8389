import { performance } from 'node:perf_hooks';
import { startControlPlane } from '../../test/support/control-plane.js';

/**
 * Time from spawning the test control plane to a served `kubernetes` Service, as the tests see
 * it (target: well under 15 s once built). Run: node dist/bench/controlplane/start.bench.js
 */
const runs = Number(process.env.RUNS ?? 3);
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  const controlPlane = await startControlPlane();
  times.push((performance.now() - start) / 1000);
  await controlPlane.stop();
}
times.sort((a, b) => a - b);
console.log(`control plane start to ready, ${runs} runs: min ${times[0]!.toFixed(2)} s, median ${times[Math.floor(runs / 2)]!.toFixed(2)} s, max ${times[runs - 1]!.toFixed(2)} s`);
