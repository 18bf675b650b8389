import type { KubeClient } from './kube-client.js';

export interface NamespacedResource {
  group: string;
  version: string;
  plural: string;
  namespace: string;
}

export interface ListPage<T> {
  items: T[];
  /** Token for the next page; absent on the last one. */
  continue?: string;
}

export interface CustomObjects {
  /** Resolves once created; the answer (the object again) is not kept. */
  create(body: unknown, options: { fieldValidation?: 'Strict' | 'Warn' | 'Ignore'; timeoutMs: number }): Promise<void>;
  get<T>(name: string, options: { timeoutMs: number }): Promise<T>;
  list<T>(options: { labelSelector?: string; limit?: number; continue?: string; timeoutMs: number }): Promise<ListPage<T>>;
}

/** The three calls the sniffer makes on one namespaced custom resource. */
export function customObjects(client: KubeClient, resource: NamespacedResource): CustomObjects {
  const collection = `/apis/${enc(resource.group)}/${enc(resource.version)}/namespaces/${enc(resource.namespace)}/${enc(resource.plural)}`;
  return {
    create: (body, { fieldValidation, timeoutMs }) =>
      client.request<undefined>({ method: 'POST', path: collection, query: { fieldValidation }, body, timeoutMs, discardAnswer: true }),
    get: (name, { timeoutMs }) => client.request({ method: 'GET', path: `${collection}/${enc(name)}`, timeoutMs }),
    async list<T>({ labelSelector, limit, continue: token, timeoutMs }: { labelSelector?: string; limit?: number; continue?: string; timeoutMs: number }) {
      const page = await client.request<{ items?: T[]; metadata?: { continue?: string } }>({
        method: 'GET',
        path: collection,
        query: { labelSelector, limit, continue: token },
        timeoutMs,
      });
      const next = page.metadata?.continue;
      return { items: page.items ?? [], ...(next ? { continue: next } : {}) };
    },
  };
}

const enc = encodeURIComponent;
