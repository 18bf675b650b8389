export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * Exponential backoff with jitter (half of the delay fixed, half random): many sniffers that lost the API server at the same moment
 * must not come back in lockstep. `random` is in [0, 1).
 */
export function backoffDelayMs(failures: number, options: BackoffOptions = defaultBackoff, random: number = Math.random()): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}
