/**
 * Why a packet or /proc line was not turned into an observation. "Malformed" reasons are inputs
 * that break their format (counted as malformed); "ignored" reasons are valid inputs we do not
 * need (counted per kind, never logged one by one).
 */
export const malformedReasons = [
  'link-truncated',
  'link-unsupported',
  'ip-truncated',
  'ip-bad-header',
  'ipv6-bad-extension',
  'transport-truncated',
  'transport-bad-header',
  'dns-truncated',
  'dns-bad-name',
  'dns-name-loop',
  'dns-bad-record',
  'dns-no-question',
  'proc-bad-line',
  'proc-bad-address',
] as const;
export type MalformedReason = (typeof malformedReasons)[number];

export const ignoredReasons = [
  'not-ip',
  'fragment',
  'other-protocol',
  'not-dns-or-syn',
  'dns-query',
  'dns-opcode',
  'dns-rcode',
  'dns-no-address',
  'dns-tcp-partial',
] as const;
export type IgnoredReason = (typeof ignoredReasons)[number];
