import type { KubeClient, KubeRequest } from '../../src/shared/kube/kube-client.js';

/** Write requests a KubeClient sent and their bytes (path and JSON body; HTTP headers and TLS not counted). */
export interface WriteCount {
  requests: number;
  bytes: number;
}

export function countingWrites(client: KubeClient, count: WriteCount): KubeClient {
  return {
    get server() {
      return client.server;
    },
    request<T>(request: KubeRequest): Promise<T> {
      if (request.method !== 'GET') {
        count.requests++;
        count.bytes += Buffer.byteLength(request.path) + (request.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(request.body)));
      }
      return client.request<T>(request);
    },
    close: () => client.close(),
  };
}
