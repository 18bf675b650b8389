import type { IntentsTarget } from '../../crds/client-intents.js';

/** A target of one client, before ports are attached: the unit evidence is kept for. */
export type TargetRef =
  | { readonly type: 'kubernetes'; readonly name: string; readonly kind?: string }
  | { readonly type: 'service'; readonly name: string }
  | { readonly type: 'internet'; readonly domain: string };

const typeOrder = { kubernetes: 0, service: 1, internet: 2 } as const;

export function targetKey(ref: TargetRef): string {
  switch (ref.type) {
    case 'kubernetes':
      return ref.kind ? `kubernetes:${ref.name}#${ref.kind}` : `kubernetes:${ref.name}`;
    case 'service':
      return `service:${ref.name}`;
    case 'internet':
      return `internet:${ref.domain}`;
  }
}

/** Kubernetes targets, then Services, then internet; each by name, then kind. */
export function compareTargetRefs(a: TargetRef, b: TargetRef): number {
  if (a.type !== b.type) return typeOrder[a.type] - typeOrder[b.type];
  const nameA = a.type === 'internet' ? a.domain : a.name;
  const nameB = b.type === 'internet' ? b.domain : b.name;
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  const kindA = a.type === 'kubernetes' ? (a.kind ?? '') : '';
  const kindB = b.type === 'kubernetes' ? (b.kind ?? '') : '';
  return kindA < kindB ? -1 : kindA > kindB ? 1 : 0;
}

export function toIntentsTarget(ref: TargetRef, ports: readonly number[]): IntentsTarget {
  switch (ref.type) {
    case 'kubernetes':
      return { kubernetes: ref.kind ? { name: ref.name, kind: ref.kind } : { name: ref.name } };
    case 'service':
      return { service: { name: ref.name } };
    case 'internet':
      return { internet: ports.length > 0 ? { domains: [ref.domain], ports: [...ports] } : { domains: [ref.domain] } };
  }
}

/** Reads a written target back (after a restart); internet targets become one ref per domain. */
export function fromIntentsTarget(target: IntentsTarget): { ref: TargetRef; ports: number[] }[] {
  if (target.kubernetes) {
    const { name, kind } = target.kubernetes;
    return [{ ref: kind ? { type: 'kubernetes', name, kind } : { type: 'kubernetes', name }, ports: [] }];
  }
  if (target.service) return [{ ref: { type: 'service', name: target.service.name }, ports: [] }];
  if (target.internet) {
    const ports = target.internet.ports ?? [];
    return (target.internet.domains ?? []).map((domain) => ({ ref: { type: 'internet', domain }, ports: [...ports] }));
  }
  return [];
}
