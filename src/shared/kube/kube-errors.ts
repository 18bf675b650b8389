import { STATUS_CODES } from 'node:http';

/** The fields of a Kubernetes Status object worth keeping (never the response headers). */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message: string;
  reason?: string;
  code: number;
  details?: unknown;
}

/**
 * The API server answered with an error status. `code` and `body` (the Status) are what
 * errorFields in src/shared/logger.ts logs; nothing else of the response is kept.
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly reason: string | undefined;
  constructor(
    readonly method: string,
    readonly path: string,
    readonly code: number,
    readonly body: KubeStatus,
  ) {
    super(`${method} ${path}: ${code} ${body.reason ?? STATUS_CODES[code] ?? ''}: ${body.message}`);
    this.reason = body.reason;
  }

  static fromResponse(method: string, path: string, code: number, text: string): KubeApiError {
    return new KubeApiError(method, path, code, statusOf(code, text));
  }
}

/** No complete answer within the request's deadline. The API server may still carry it out. */
export class KubeTimeoutError extends Error {
  override readonly name = 'KubeTimeoutError';
}

/** The request failed below HTTP (connection refused or reset, TLS, DNS): no status code. */
export class KubeRequestError extends Error {
  override readonly name = 'KubeRequestError';
}

function statusOf(code: number, text: string): KubeStatus {
  try {
    const parsed = JSON.parse(text) as Partial<KubeStatus> | null;
    if (parsed && typeof parsed === 'object' && typeof parsed.message === 'string') {
      const status: KubeStatus = { kind: parsed.kind, status: parsed.status, message: parsed.message, reason: parsed.reason, code };
      if (parsed.details !== undefined) status.details = parsed.details;
      return status;
    }
  } catch {
    // Not a Status (a proxy or load balancer answered): keep a bounded piece of the text.
  }
  const snippet = text.trim().slice(0, 300);
  return { message: snippet === '' ? (STATUS_CODES[code] ?? `HTTP ${code}`) : snippet, code };
}
