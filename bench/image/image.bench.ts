import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { terminate } from '../../test/support/component-process.js';
import { startControlPlane } from '../../test/support/control-plane.js';
import { builtImage } from '../../test/support/oci/built-image.js';
import { startOperatorInRootfs, startSnifferInRootfs, type RunningComponent } from '../../test/support/oci/components-in-rootfs.js';
import { imageCommand } from '../../test/support/oci/image-command.js';
import { readOciImage } from '../../test/support/oci/oci-image-layout.js';
import { runInRootfs } from '../../test/support/oci/run-in-rootfs.js';
import { unpackOciImage } from '../../test/support/oci/oci-unpack.js';
import { slottedPort } from '../../test/support/test-slot.js';

/**
 * The image scripts/image.sh built (.cache/image): its size (compressed layers, unpacked), the
 * time to unpack it, and the start-up of each component from its entrypoint in the unpacked root
 * file system: `--version` (RUNS times, median), and until the operator / the sniffer logs that it
 * started and answers /readyz, against a test control plane, as their pods run them (the operator
 * as 65532 on a read-only root; the sniffer as root with NET_RAW and SYS_PTRACE, capturing on lo).
 * Run (root): node dist/bench/image/image.bench.js
 */
const runs = Number(process.env.RUNS ?? 5);
const { layoutDir, tag } = builtImage();
const image = readOciImage(layoutDir, tag);
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const compressed = image.layers.reduce((sum, l) => sum + l.size, 0);
console.log(`image ${tag} (${layoutDir}): ${image.layers.length} layers, ${mb(compressed)} MB compressed (${image.layers.map((l) => mb(l.size)).join(' + ')})`);

const unpackDir = mkdtempSync(join(tmpdir(), 'netmap-image-bench-'));
try {
  let start = performance.now();
  const rootfs = await unpackOciImage(image, unpackDir);
  const unpackMs = performance.now() - start;
  const du = (path: string): number => Number(execFileSync('du', ['-sb', join(rootfs, path)], { encoding: 'utf8' }).split('\t')[0]);
  console.log(`unpacked: ${mb(du('.'))} MB in ${(unpackMs / 1000).toFixed(1)} s; of it /usr/local/bin/node ${mb(du('usr/local/bin/node'))} MB, /app ${mb(du('app'))} MB (node_modules ${mb(du('app/node_modules'))} MB, dist ${mb(du('app/dist'))} MB)`);

  for (const args of [['--version'], ['cli', 'version'], ['operator', '--version'], ['sniffer', '--version']]) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      start = performance.now();
      const result = runInRootfs(rootfs, imageCommand(image, args));
      times.push(performance.now() - start);
      if (result.status !== 0) throw new Error(`network-mapper ${args.join(' ')}: ${result.stderr}`);
    }
    console.log(`network-mapper ${args.join(' ')}: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}) over ${runs} runs`);
  }

  const cp = await startControlPlane();
  try {
    for (const [name, startComponent] of [
      ['operator', () => startOperatorInRootfs(rootfs, image, cp)],
      ['sniffer', () => startSnifferInRootfs(rootfs, image, cp, slottedPort(19488))],
    ] as const) {
      const started: number[] = [];
      const ready: number[] = [];
      for (let i = 0; i < Math.min(runs, 3); i++) {
        const component: RunningComponent = await startComponent();
        started.push(component.startedMs);
        ready.push(component.readyMs);
        await terminate(component.child);
        component.cleanUp();
      }
      console.log(`${name} from the image: "started" logged after median ${median(started).toFixed(0)} ms, /readyz 200 after ${median(ready).toFixed(0)} ms (${started.length} runs: ${started.map((t) => t.toFixed(0)).join(', ')} / ${ready.map((t) => t.toFixed(0)).join(', ')} ms)`);
    }
  } finally {
    await cp.stop();
  }
} finally {
  rmSync(unpackDir, { recursive: true, force: true });
}
