import { timeoutError, type RequestContext } from '../core/classify-error.js';

/**
 * `--request-timeout` for the client-node paths (the small client has its own deadline): the
 * request races a timer that rejects with the CLI's timeout error (exit code 3).
 */
export async function withTimeout<T>(request: Promise<T>, context: RequestContext, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(context, seconds)), seconds * 1000);
  });
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
