import { KubeTimeoutError } from '../../../shared/kube/kube-errors.js';

/**
 * A request of the reporting loop that got no answer in time. The request itself may still have
 * been carried out; object names are deterministic, so the retry then meets it as 409 and counts
 * it as written.
 */
export { KubeTimeoutError as WriteTimeoutError };

/** The HTTP status of an API error, or a label for errors that never got one. */
export function errorCode(error: unknown): string {
  const code = statusCode(error);
  if (code !== undefined) return String(code);
  if (error instanceof KubeTimeoutError) return 'timeout';
  return 'network';
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
