import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * client-node gives every request a new connection pool, so each request opens its own TLS
 * connection, and the native memory of thousands of handshakes (owner reads, applies, status
 * patches) made up much of the operator's peak. This KubeConfig hands every request the same
 * pool while the cluster and client credentials stay the same (bearer tokens travel in headers,
 * which are still set per request), so connections are kept alive and reused.
 */
export class SharedConnectionsKubeConfig extends KubeConfig {
  private shared: { key: string; dispatcher: Dispatcher } | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    const key = this.connectionKey();
    if (!fresh || key === undefined) return;
    if (this.shared?.key === key) context.setDispatcher(this.shared.dispatcher);
    else this.shared = { key, dispatcher: fresh };
  }

  /** What a pool's TLS set-up depends on; undefined when credentials may change underneath (plugins). */
  private connectionKey(): string | undefined {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (!cluster || user?.exec || user?.authProvider) return undefined;
    return JSON.stringify([cluster.server, cluster.caData, cluster.caFile, cluster.skipTLSVerify, cluster.tlsServerName, cluster.proxyUrl, user?.certData, user?.certFile, user?.keyData, user?.keyFile]);
  }
}

export function sharingConnections(kc: KubeConfig): KubeConfig {
  const copy = new SharedConnectionsKubeConfig();
  copy.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
  return copy;
}
