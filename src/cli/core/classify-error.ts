import { CliError, exitCodes } from './exit-codes.js';

/** What the failed request was, to say so in the message. */
export interface RequestContext {
  readonly server: string;
  readonly verb: string;
  readonly resource: string;
  /** A namespace, or undefined for all namespaces. */
  readonly namespace?: string;
}

/** The loggable fields of an API error (errorFields of src/shared/logger.ts). */
export interface ErrorSummary {
  readonly error: string;
  readonly code?: number;
  readonly reason?: string;
}

const connectionCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND',
  'EAI_AGAIN', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO',
]);

/**
 * Turns a failed request into the documented exit code and one human sentence. `connection` is
 * what connectionProblem() found, if the request never got an HTTP answer.
 */
export function classifyError(summary: ErrorSummary, connection: string | undefined, context: RequestContext): CliError {
  const where = context.namespace === undefined ? 'in all namespaces' : `in namespace ${context.namespace}`;
  if (connection !== undefined && summary.code === undefined) {
    return new CliError(exitCodes.unreachable, `cannot reach the Kubernetes API server at ${context.server} (${connection}). Is the cluster running, and is this the right kubeconfig/context?`);
  }
  switch (summary.code) {
    case 404:
      return new CliError(
        exitCodes.crdMissing,
        `the ClientIntents resource (${context.resource}) does not exist on ${context.server}: ` +
          'the Otterize Intents Operator / network-mapper ClientIntents CRD is not installed. ' +
          'Install the Otterize Intents Operator, or network-mapper\'s compatible CRD: kubectl create -f config/crd/optional/ (create, never apply, so that it can never replace Otterize\'s)',
      );
    case 401:
      return new CliError(exitCodes.forbidden, `the API server at ${context.server} rejected the credentials (401 Unauthorized): ${summary.error}`);
    case 403:
      return new CliError(
        exitCodes.forbidden,
        `forbidden: cannot ${context.verb} ${context.resource} ${where} (${summary.error}). ` +
          `Check with: kubectl auth can-i ${context.verb} ${context.resource}${context.namespace === undefined ? ' -A' : ` -n ${context.namespace}`}`,
      );
  }
  const status = summary.code === undefined ? '' : ` (HTTP ${summary.code}${summary.reason ? ` ${summary.reason}` : ''})`;
  return new CliError(exitCodes.unexpected, `${context.verb} ${context.resource} ${where} failed${status}: ${summary.error}`);
}

export function timeoutError(context: RequestContext, seconds: number): CliError {
  return new CliError(exitCodes.unreachable, `no answer from the Kubernetes API server at ${context.server} within ${seconds}s (--request-timeout)`);
}

/**
 * Why a request got no HTTP answer: a socket-level code (ECONNREFUSED, ...) on the error or its
 * causes, or the message of fetch's network error ("fetch failed", caused by e.g. "bad port").
 */
export function connectionProblem(error: unknown): string | undefined {
  let current: unknown = error;
  let fetchFailure: string | undefined;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause, message } = current as { code?: unknown; cause?: unknown; message?: unknown };
    if (typeof code === 'string' && connectionCodes.has(code)) return code;
    if (message === 'fetch failed') fetchFailure = 'fetch failed';
    else if (fetchFailure !== undefined && typeof message === 'string') return message.split('\n', 1)[0];
    current = cause;
  }
  return fetchFailure;
}
