import { causeCode } from './api-error-code.js';

/**
 * The loggable part of an error. client-node's ApiException carries the response headers (and
 * with them, sometimes, credentials or huge bodies): keep only status code, reason and message.
 * A network failure's message is often a bare "fetch failed": its cause (code and first line)
 * says whether the connection was refused, reset or timed out.
 */
export function errorFields(error: unknown): { error: string; code?: number; reason?: string; cause?: string } {
  if (typeof error !== 'object' || error === null) return { error: String(error) };
  const { code, body, message, cause } = error as { code?: unknown; body?: unknown; message?: unknown; cause?: unknown };
  const status = parseStatusBody(body);
  const fields: { error: string; code?: number; reason?: string; cause?: string } = {
    error: truncate(status?.message ?? firstLine(typeof message === 'string' ? message : String(error))),
  };
  if (typeof code === 'number') fields.code = code;
  if (status?.reason) fields.reason = status.reason;
  if (cause !== undefined && cause !== null) fields.cause = describeCause(cause);
  return fields;
}

/** "ECONNRESET: read ECONNRESET", the innermost cause with a system code, else the first cause's message. */
function describeCause(cause: unknown): string {
  const code = causeCode(cause);
  let innermost: unknown = cause;
  for (let depth = 0; depth < 8; depth++) {
    const next = (innermost as { cause?: unknown }).cause;
    if (typeof next !== 'object' || next === null) break;
    innermost = next;
  }
  const message = firstLine(String((innermost as { message?: unknown }).message ?? innermost));
  return truncate(code && !message.includes(code) ? `${code}: ${message}` : message, 300);
}

function parseStatusBody(body: unknown): { message?: string; reason?: string } | undefined {
  if (typeof body === 'object' && body !== null) return body as { message?: string; reason?: string };
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as { message?: string; reason?: string };
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function truncate(text: string, max = 1000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
