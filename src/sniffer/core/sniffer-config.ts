import { z } from 'zod';
import { maxDnsNameLength } from '../../crds/bounds.js';

const seconds = (name: string, min: number, max: number, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number of seconds` }).min(min).max(max).default(fallback);
const integer = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const mebibyte = 1024 * 1024;
/** ~100 bytes each (a fingerprint string and a Map slot): about 2 MB at the bound. */
export const defaultRereportMaxRecords = 20_000;

/**
 * The sniffer's environment (config/sniffer/sniffer-daemonset.yaml and the chart set it; docs/sniffer-reporting.md
 * describes it). Read with parseEnvConfig, which names every bad variable at once.
 */
export const snifferConfigSchema = z.object({
  NODE_NAME: z
    .string({ error: 'NODE_NAME is required (the downward API sets it from spec.nodeName)' })
    .min(1, 'NODE_NAME is required (the downward API sets it from spec.nodeName)')
    .max(maxDnsNameLength),
  POD_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name (DNS-1123 label)')
    .max(63)
    .default('network-mapper'),
  WINDOW_SECONDS: seconds('WINDOW_SECONDS', 1, 3600, 10),
  CAPTURE_DEVICE: z.string().min(1).max(64).default('any'),
  CAPTURE_FILTER: z.string().max(4096).optional(),
  CAPTURE_SNAP_LENGTH: z.coerce.number().int().min(64).max(262144).optional(),
  /** Immediate mode hands over every packet at once, at a much higher CPU cost (see docs/sniffer-capture.md). */
  CAPTURE_IMMEDIATE_MODE: z.enum(['true', 'false'], { error: "CAPTURE_IMMEDIATE_MODE must be 'true' or 'false'" }).default('false'),
  CAPTURE_READ_TIMEOUT_MS: integer(10, 10_000, 1000),
  /**
   * The ring is resident in full once traffic has filled it: 4 MiB captured 100,000 DNS responses/s
   * on `any` without a drop, 12 MB less than 16 MiB (bench/sniffer/RESULTS.md §5).
   */
  PCAP_BUFFER_BYTES: integer(64 * 1024, 1024 * mebibyte, 4 * mebibyte),
  /**
   * HTTP request lines (method and templated path) of plaintext HTTP/1.x, a second capture; off by
   * default because a mesh enforcing the paths refuses every path the map has not seen.
   */
  HTTP_CAPTURE: z.enum(['true', 'false'], { error: "HTTP_CAPTURE must be 'true' or 'false'" }).default('false'),
  HTTP_CAPTURE_SNAP_LENGTH: z.coerce.number().int().min(128).max(65535).default(1024),
  HTTP_PCAP_BUFFER_BYTES: integer(64 * 1024, 1024 * mebibyte, 4 * mebibyte),
  PROC_ROOT: z.string().startsWith('/', 'must be an absolute path').default('/hostproc'),
  SCAN_INTERVAL_SECONDS: seconds('SCAN_INTERVAL_SECONDS', 0.1, 3600, 1),
  MAX_BUFFER_BYTES: integer(64 * 1024, 4096 * mebibyte, 32 * mebibyte),
  MAX_PENDING_OBJECTS: integer(1, 100_000, 100),
  /** A record already reported is sent again at most this often; 0 sends every window (docs/sniffer-reporting.md). */
  REREPORT_SECONDS: seconds('REREPORT_SECONDS', 0, 86_400, 300),
  REREPORT_MAX_RECORDS: integer(0, 10_000_000, defaultRereportMaxRecords),
  HTTP_PORT: integer(1, 65535, 9478),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  API_TIMEOUT_SECONDS: seconds('API_TIMEOUT_SECONDS', 1, 300, 15),
  FLUSH_TIMEOUT_SECONDS: seconds('FLUSH_TIMEOUT_SECONDS', 0, 300, 10),
});

export type SnifferConfig = z.infer<typeof snifferConfigSchema>;
