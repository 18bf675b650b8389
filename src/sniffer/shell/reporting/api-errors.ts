/** The HTTP status of a client-node error, or a label for errors that never got one. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return String(code);
  if (error instanceof WriteTimeoutError) return 'timeout';
  return 'network';
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export class WriteTimeoutError extends Error {
  override readonly name = 'WriteTimeoutError';
}

/**
 * Gives up waiting after `ms`. The request itself may still complete later; object names are
 * deterministic, so the retry then meets it as 409 and counts it as written.
 */
export async function withTimeout<T>(request: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WriteTimeoutError(`${what}: no answer after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
    request.catch(() => undefined);
  }
}
