import { readFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:https';
import { KubeConfigError, type KubeClientConfig } from './kube-client-config.js';
import { KubeApiError, KubeRequestError, KubeTimeoutError } from './kube-errors.js';

export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeRequest {
  method: KubeMethod;
  /** Absolute API path, e.g. /apis/netmap.dev/v1alpha1/namespaces/x/networkobservations */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Deadline for the whole exchange: connection, TLS, request and the complete answer. */
  timeoutMs: number;
  /**
   * Read a successful answer without keeping it (resolves to undefined). A create's answer
   * repeats the whole object, up to ~1 MiB for a NetworkObservation: not worth parsing.
   */
  discardAnswer?: boolean;
  /** Accept header, for another representation such as a server-side Table. */
  accept?: string;
}

export interface KubeClient {
  readonly server: string;
  /** The parsed JSON answer of a 2xx response (unless discarded); KubeApiError, KubeTimeoutError or KubeRequestError otherwise. */
  request<T>(request: KubeRequest): Promise<T>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export interface KubeClientOptions {
  /** How often a token file is read again (projected tokens rotate; the kubelet refreshes them well before expiry). */
  tokenRefreshMs?: number;
  maxSockets?: number;
  /**
   * Idle keep-alive connections are closed after this long, before the API server's own idle
   * timeout (90 s) could close one just as a request is sent on it.
   */
  idleSocketMs?: number;
  /** Answers larger than this fail instead of filling the memory. */
  maxResponseBytes?: number;
  now?: () => number;
  readFile?: (path: string) => Buffer;
}

/** A small HTTPS client for the few API calls the sniffer makes, on one keep-alive connection pool. */
export function createKubeClient(config: KubeClientConfig, options: KubeClientOptions = {}): KubeClient {
  const server = new URL(config.server);
  const host = server.hostname.replace(/^\[|\]$/g, '');
  const port = Number(server.port || 443);
  const prefix = server.pathname.replace(/\/+$/, '');
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 4,
    maxFreeSockets: 2,
    timeout: options.idleSocketMs ?? 60_000,
    ca: config.ca,
    cert: config.clientCert,
    key: config.clientKey,
    rejectUnauthorized: !config.insecureSkipTlsVerify,
    servername: config.tlsServerName,
  });
  const token = bearerToken(config, options);

  function send<T>(req: KubeRequest): Promise<T> {
    const path = prefix + req.path + queryString(req.query);
    const what = `${req.method} ${req.path}`;
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string | number> = { ...config.headers, accept: req.accept ?? 'application/json' };
    const bearer = token.current();
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const requestOptions: RequestOptions = { agent, host, port, path, method: req.method, headers };

    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | undefined, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value as T);
      };
      const outgoing = request(requestOptions, (response) => {
        const code = response.statusCode ?? 0;
        const success = code >= 200 && code <= 299;
        const keep = !(success && req.discardAnswer);
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) {
            settle(new KubeRequestError(`${what}: answer larger than ${maxResponseBytes} bytes`));
            outgoing.destroy();
            return;
          }
          if (keep) chunks.push(chunk);
        });
        response.on('error', (error) => settle(new KubeRequestError(`${what}: ${error.message}`, { cause: error })));
        response.on('end', () => {
          if (!keep) {
            settle(undefined);
            return;
          }
          const text = Buffer.concat(chunks).toString('utf8');
          if (!success) {
            if (code === 401) token.invalidate();
            settle(KubeApiError.fromResponse(req.method, req.path, code, text));
            return;
          }
          try {
            settle(undefined, (text === '' ? undefined : JSON.parse(text)) as T);
          } catch {
            settle(new KubeRequestError(`${what}: ${code} answer is not JSON`));
          }
        });
      });
      const timer = setTimeout(() => {
        settle(new KubeTimeoutError(`${what}: no answer after ${req.timeoutMs} ms`));
        outgoing.destroy();
      }, req.timeoutMs);
      outgoing.on('error', (error) => settle(new KubeRequestError(`${what}: ${error.message}`, { cause: error })));
      outgoing.end(payload);
    });
  }

  return {
    server: config.server,
    request: send,
    close: () => agent.destroy(),
  };
}

function queryString(query: KubeRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

interface TokenSource {
  current(): string | undefined;
  /** After a 401: read the file again at the next request. */
  invalidate(): void;
}

function bearerToken(config: KubeClientConfig, options: KubeClientOptions): TokenSource {
  const { tokenFile } = config;
  if (tokenFile === undefined) return { current: () => config.token, invalidate: () => undefined };
  const refreshMs = options.tokenRefreshMs ?? 60_000;
  const now = options.now ?? Date.now;
  const readFile = options.readFile ?? readFileSync;
  let token: string | undefined;
  let readAt = -Infinity;
  return {
    current() {
      if (token === undefined || now() - readAt >= refreshMs) {
        try {
          token = readFile(tokenFile).toString('utf8').trim();
          readAt = now();
        } catch (error) {
          // A failed re-read keeps the last token: it is usually still valid for a while.
          if (token === undefined) throw new KubeConfigError(`cannot read the token file ${tokenFile}: ${(error as Error).message}`);
        }
      }
      return token;
    },
    invalidate() {
      readAt = -Infinity;
    },
  };
}
