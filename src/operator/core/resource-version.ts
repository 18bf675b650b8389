/**
 * Whether resourceVersion `a` is newer than `b`. resourceVersions are opaque, but etcd's are
 * integers: they are compared as such when both are; otherwise nothing is taken as newer.
 */
export function isNewerResourceVersion(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}
