import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for tests of what a client does when the
 * server goes away or slows down: `pause` closes every connection and resets new ones until
 * `resume`; `delayResponses` holds every byte from the server back for a while (TLS handshake
 * included), so that a request reaches the server after one delay and its answer reaches the
 * client after two: a client whose timeout lies in between gives up on a request the server
 * carried out.
 */
export interface TcpProxy {
  readonly port: number;
  pause(): void;
  resume(): void;
  delayResponses(ms: number): void;
  /** Connections accepted since the proxy started. */
  readonly accepted: number;
  close(): Promise<void>;
}

type Mode = 'forward' | 'refuse' | 'delay';

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = 'forward';
  let accepted = 0;
  let delayMs = 0;
  const open = new Set<Socket>();
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const destroyAll = (): void => {
    for (const socket of open) socket.destroy();
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    track(client);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    client.on('close', () => upstream.destroy());
    if (mode === 'forward') {
      upstream.pipe(client);
      upstream.on('close', () => client.destroy());
      return;
    }
    // Equal delays keep the bytes in order.
    const delay = delayMs;
    upstream.on('data', (chunk: Buffer) => setTimeout(() => client.write(chunk), delay));
    upstream.on('close', () => setTimeout(() => client.destroy(), delay));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    pause() {
      mode = 'refuse';
      destroyAll();
    },
    resume() {
      mode = 'forward';
    },
    delayResponses(ms) {
      mode = 'delay';
      delayMs = ms;
      destroyAll();
    },
    close() {
      destroyAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The API server address of `kc`, as host and port, for the proxy's target. */
export function apiServerAddress(kc: KubeConfig): { host: string; port: number } {
  const url = new URL(kc.getCurrentCluster()!.server);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443) };
}

/** A copy of `kc` that reaches the API server through the proxy (same TLS name: 127.0.0.1). */
export function throughProxy(kc: KubeConfig, proxy: TcpProxy): KubeConfig {
  const cluster = kc.getCurrentCluster()!;
  const server = new URL(cluster.server);
  server.port = String(proxy.port);
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: [{ ...cluster, server: server.toString().replace(/\/$/, '') }],
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
}
