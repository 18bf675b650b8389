/**
 * The loggable part of an error. client-node's ApiException carries the response headers (and
 * with them, sometimes, credentials or huge bodies): keep only status code, reason and message.
 */
export function errorFields(error: unknown): { error: string; code?: number; reason?: string } {
  if (typeof error !== 'object' || error === null) return { error: String(error) };
  const { code, body, message } = error as { code?: unknown; body?: unknown; message?: unknown };
  const status = parseStatusBody(body);
  const fields: { error: string; code?: number; reason?: string } = {
    error: truncate(status?.message ?? firstLine(typeof message === 'string' ? message : String(error))),
  };
  if (typeof code === 'number') fields.code = code;
  if (status?.reason) fields.reason = status.reason;
  return fields;
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
