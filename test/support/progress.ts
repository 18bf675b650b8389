/*
 * The main command's progress: a short line when a part of the local cluster starts and when it
 * is Ready, with the time it took. Silent unless showProgress() was called (tests start clusters
 * too, and their output is mocha's).
 */
let shown = false;
let origin = Date.now();

/** Prints progress from now on; times are counted from this call. */
export function showProgress(): void {
  shown = true;
  origin = Date.now();
}

/** One progress line, prefixed with the time since showProgress. */
export function progress(line: string): void {
  if (shown) console.log(`[${seconds(Date.now() - origin).padStart(6)}] ${line}`);
}

/** Runs one start-up step, saying what starts, then that it is Ready and how long it took (or that it failed). */
export async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now();
  progress(`${what}: starting`);
  try {
    const result = await run();
    progress(`${what}: Ready in ${seconds(Date.now() - start)}`);
    return result;
  } catch (error) {
    progress(`${what}: failed after ${seconds(Date.now() - start)}`);
    throw error;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
