/**
 * The decode benchmarks' measuring loop: warms `run` up (so every side is measured after the JIT
 * has settled), then runs it over `inputs` in batches of 1000 for `seconds` and prints and returns
 * the rate. One loop for every decoder measured, so ratios within one run compare like with like.
 */
export function packetRate<T>(label: string, run: (input: T) => unknown, inputs: readonly T[], unit: string, labelWidth: number, seconds = 2): number {
  for (let i = 0; i < 20_000; i++) run(inputs[i % inputs.length]!);
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(seconds * 1e9);
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) run(inputs[(count + i) % inputs.length]!);
    count += 1000;
    now = process.hrtime.bigint();
  }
  const perSecond = count / (Number(now - start) / 1e9);
  const microseconds = unit === 'packets/s' ? `  ${(1e6 / perSecond).toFixed(2)} µs` : '';
  console.log(`${label.padEnd(labelWidth)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} ${unit}${microseconds}`);
  return perSecond;
}
