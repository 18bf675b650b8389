/**
 * What failed in a request to the API server, as a metric label: the HTTP status when the server
 * answered ("409", "403", "500"), else `timeout` or `network`. The network cases are read from the
 * error's `cause` chain, where fetch (undici) and Node put the system code (ECONNRESET,
 * UND_ERR_HEADERS_TIMEOUT) behind a bare "fetch failed".
 */
export function apiErrorCode(error: unknown): string {
  const status = httpStatus(error);
  if (status !== undefined) return String(status);
  return causes(error).some(isTimeout) ? 'timeout' : 'network';
}

/** The HTTP status of an API error (client-node's ApiException carries it as a number `code`). */
export function httpStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/** The innermost system code in the cause chain (ECONNREFUSED, UND_ERR_SOCKET), if any. */
export function causeCode(error: unknown): string | undefined {
  const codes = causes(error).map((e) => (e as { code?: unknown }).code).filter((c): c is string => typeof c === 'string');
  return codes.at(-1);
}

const maxDepth = 8;

/** The error and its causes, outermost first (bounded: a cause chain may be cyclic). */
function causes(error: unknown): object[] {
  const chain: object[] = [];
  for (let e = error; typeof e === 'object' && e !== null && chain.length < maxDepth && !chain.includes(e); e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

function isTimeout(error: object): boolean {
  const { code, name } = error as { code?: unknown; name?: unknown };
  return name === 'TimeoutError' || (typeof code === 'string' && /TIMEOUT|ETIMEDOUT/.test(code));
}
