import { parseIp, protocolTcp } from '../capture/ip-layer.js';
import type { LinkType } from '../capture/link-layer.js';
import { parseLinkLayer, readU16 } from '../capture/link-layer.js';
import type { IgnoredReason, MalformedReason } from '../capture/reasons.js';
import type { ObservedHttpRequest } from '../observed.js';
import { templatePath, type TemplateSkipReason } from './path-template.js';
import { parseRequestLines, type HttpSkipReason } from './request-line.js';

export type HttpPacketSkip = HttpSkipReason | TemplateSkipReason;

/**
 * One packet of the HTTP capture in, its requests out (templated paths, never raw ones). The
 * kernel filter lets through only TCP segments whose payload starts like a request, TLS or the
 * HTTP/2 preface, so anything else here is counted as not-http.
 */
export type HttpPacketOutcome =
  | { kind: 'http'; requests: ObservedHttpRequest[]; skipped: HttpPacketSkip[] }
  | { kind: 'ignored'; reason: IgnoredReason | 'not-http' }
  | { kind: 'malformed'; reason: MalformedReason };

/** `truncated`: the snap length cut the packet (libpcap's caplen < len). */
export function decodeHttpPacket(bytes: Uint8Array, length: number, linkType: LinkType, seenAt: number, truncated: boolean): HttpPacketOutcome {
  const captured = Math.min(length, bytes.length);
  const link = parseLinkLayer(bytes, captured, linkType);
  if (!link.ok) return { kind: 'malformed', reason: link.reason };
  const ip = parseIp(bytes, link.offset, captured, link.etherType);
  if (!ip.ok) return ip.kind === 'ignored' ? { kind: 'ignored', reason: ip.reason } : { kind: 'malformed', reason: ip.reason };
  if (ip.protocol !== protocolTcp) return { kind: 'ignored', reason: 'not-http' };
  const { offset, end } = ip;
  if (end - offset < 20) return { kind: 'malformed', reason: 'transport-truncated' };
  const headerLength = ((bytes[offset + 12] ?? 0) >> 4) * 4;
  if (headerLength < 20) return { kind: 'malformed', reason: 'transport-bad-header' };
  if (end - offset <= headerLength) return { kind: 'ignored', reason: 'not-http' };
  const serverPort = readU16(bytes, offset + 2);
  if (serverPort === 0) return { kind: 'malformed', reason: 'transport-bad-header' };
  const lines = parseRequestLines(bytes, offset + headerLength, end, !truncated);
  const skipped: HttpPacketSkip[] = lines.skipped;
  const requests: ObservedHttpRequest[] = [];
  for (const line of lines.requests) {
    const templated = templatePath(line.target);
    if (!templated.ok) {
      skipped.push(templated.reason);
      continue;
    }
    requests.push({
      clientIP: ip.sourceIP, serverIP: ip.destinationIP, serverPort, method: line.method, path: templated.path, seenAt,
    });
  }
  return { kind: 'http', requests, skipped };
}
