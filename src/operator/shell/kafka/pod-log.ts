import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';

export interface PodLogRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly follow: boolean;
  /** The terminated container's log (after a restart). */
  readonly previous?: boolean;
  /** RFC 3339, whole seconds (the API's precision). */
  readonly sinceTime?: string;
}

/** A pods/log request the API server refused; the status only, never the response's headers. */
export class PodLogError extends Error {
  constructor(
    /** The HTTP status (named `code` as client-node's errors name it, for errorFields). */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The container's log through the API server (`pods/log`, `timestamps=true`), as text chunks,
 * until it ends or `signal` aborts. Written on client-node's request context rather than its
 * `Log` class, which pipes the response into a stream without an error handler on the
 * response: a broken connection would be an uncaught error; here it is thrown to the caller.
 * Backpressure is the caller's pace: the next chunk is read when it asks for it.
 */
export async function* podLogChunks(kc: KubeConfig, request: PodLogRequest, signal: AbortSignal): AsyncGenerator<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(`${cluster.server}/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log`);
  url.searchParams.set('container', request.container);
  url.searchParams.set('timestamps', 'true');
  url.searchParams.set('follow', String(request.follow));
  if (request.previous) url.searchParams.set('previous', 'true');
  if (request.sinceTime) url.searchParams.set('sinceTime', request.sinceTime);
  const context = new RequestContext(url.toString(), HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  const dispatcher = context.getDispatcher();
  const response = await fetch(url, { method: 'GET', headers: context.getHeaders(), signal, ...(dispatcher ? { dispatcher } : {}) });
  if (response.status !== 200 || !response.body) {
    const text = await response.text().catch(() => '');
    let message = text.slice(0, 300);
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      // not a Status object: keep the text
    }
    throw new PodLogError(response.status, `pods/log ${request.namespace}/${request.pod}: HTTP ${response.status}: ${message}`);
  }
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    const text = decoder.decode(bytes as Uint8Array, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}
