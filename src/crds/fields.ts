import { isIP } from 'node:net';
import { z } from 'zod';
import { maxDnsNameLength, maxIpLength } from './bounds.js';

/**
 * Field types used by several resources. Each carries both its runtime check (for the code that
 * writes or reads objects) and the matching API-server rule (as schema metadata), so the two
 * cannot drift apart.
 */
export const ipAddress = z
  .string()
  .max(maxIpLength)
  .refine(isPlainIp, { message: 'must be an IPv4 or IPv6 address' })
  .meta({
    'x-kubernetes-validations': [{ rule: 'isIP(self)', message: 'must be an IPv4 or IPv6 address' }],
  });

export const timestamp = z.iso.datetime();

/** A queried DNS name as the sniffer normalises it: lower case, no trailing dot. */
export const dnsName = z
  .string()
  .min(1)
  .max(maxDnsNameLength)
  .regex(/^[a-z0-9_*]([a-z0-9_.-]*[a-z0-9_])?$/, 'must be a lower-case DNS name without a trailing dot');

export const port = z.int().min(1).max(65535);

export const count = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

export const ttlSeconds = z.int().min(0).max(2147483647);

/**
 * The API server's CEL isIP() refuses zones and IPv4-mapped IPv6 addresses; refuse them here too
 * so that an object that passes our check is never rejected there.
 */
export function isPlainIp(value: string): boolean {
  if (value.includes('%')) return false;
  const family = isIP(value);
  if (family === 4) return true;
  return family === 6 && !/^::ffff:[0-9.]+$/i.test(value) && !/^::ffff:0*[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(value);
}
