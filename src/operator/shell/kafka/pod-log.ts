import type { KubeConfig } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
import { Agent, fetch } from 'undici';

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
 * One broker's log through the API server (`pods/log`, `timestamps=true`), as text chunks, on a
 * connection of its own. Not through client-node's `Log` class, which pipes the response into
 * a stream without an error handler on the response (a broken connection would be an uncaught
 * error), nor on the operator's shared HTTP/2 pool: a follow is one long stream, and ending
 * such streams (abort, 404) on the shared pool left its HTTP/2 session to throw an uncaught
 * error when it later went idle. So: HTTP/1.1, one keep-alive connection per broker, closed
 * with the follower. Credentials are read from the kubeconfig for every request (tokens rotate).
 */
export class PodLogClient {
  private agent: Agent | undefined;

  constructor(private readonly kc: KubeConfig) {}

  async *chunks(request: PodLogRequest, signal: AbortSignal): AsyncGenerator<string> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    const url = new URL(`${cluster.server}/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods/${encodeURIComponent(request.pod)}/log`);
    url.searchParams.set('container', request.container);
    url.searchParams.set('timestamps', 'true');
    url.searchParams.set('follow', String(request.follow));
    if (request.previous) url.searchParams.set('previous', 'true');
    if (request.sinceTime) url.searchParams.set('sinceTime', request.sinceTime);
    const options: RequestOptions = {};
    await this.kc.applyToHTTPSOptions(options);
    this.agent ??= new Agent({
      connect: {
        allowH2: false,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.cert ? { cert: options.cert } : {}),
        ...(options.key ? { key: options.key } : {}),
        ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
        ...(options.servername ? { servername: options.servername } : {}),
      },
    });
    const headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const response = await fetch(url, { method: 'GET', headers, signal, dispatcher: this.agent });
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

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.destroy().catch(() => undefined);
  }
}
