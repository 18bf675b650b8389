/**
 * Everything the sniffer's Kubernetes client needs to reach and authenticate to the API server,
 * read once at start-up (in-cluster-config.ts or kubeconfig-file.ts). Only a token file is read
 * again later, because projected ServiceAccount tokens rotate.
 */
export interface KubeClientConfig {
  /** https://host[:port][/prefix] */
  readonly server: string;
  /** PEM certificates to trust instead of the system's roots. */
  readonly ca?: Buffer;
  readonly clientCert?: Buffer;
  readonly clientKey?: Buffer;
  readonly insecureSkipTlsVerify: boolean;
  /** Name to check the server's certificate against, when it differs from the host. */
  readonly tlsServerName?: string;
  readonly token?: string;
  /** Read again every few minutes by the client (takes precedence over `token`). */
  readonly tokenFile?: string;
  readonly namespace?: string;
  /**
   * Headers sent with every request, e.g. what client-node's KubeConfig works out for the CLI
   * from kubeconfigs this package does not read itself (exec credential plugins, impersonation).
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Where this came from, for logs and errors: never a secret. */
  readonly origin: string;
}

/** A configuration the client cannot use, with what to change. */
export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

export function checkedServer(server: unknown, where: string): string {
  if (typeof server !== 'string' || server === '') throw new KubeConfigError(`${where}: no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeConfigError(`${where}: server ${JSON.stringify(server)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new KubeConfigError(`${where}: server ${server} is not https (only TLS connections are supported)`);
  return server.replace(/\/+$/, '');
}
