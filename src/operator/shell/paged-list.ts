import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

export type PageFetcher<T extends KubernetesObject> = (page: { limit: number; _continue?: string }) => Promise<KubernetesListObject<T>>;

/**
 * Lists in pages and trims every page before asking for the next, so that an informer's first
 * list of thousands of Pods (or of large observations) never holds all the full objects at once.
 * All pages come from one snapshot; its resourceVersion is the list's.
 */
export async function pagedList<T extends KubernetesObject>(fetch: PageFetcher<T>, limit: number, slim?: (obj: T) => void): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let resourceVersion: string | undefined;
  let next: string | undefined;
  do {
    const page = await fetch(next ? { limit, _continue: next } : { limit });
    for (const item of page.items) {
      slim?.(item);
      items.push(item);
    }
    resourceVersion ??= page.metadata?.resourceVersion;
    next = page.metadata?._continue || undefined;
  } while (next);
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
}
