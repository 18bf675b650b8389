import type { ObservedConnection, ObservedDnsAnswer } from '../observed.js';
import { decodeDnsResponse } from './dns-response.js';
import type { HandshakeAnswer } from './handshake-matcher.js';
import { parseIp, protocolTcp, protocolUdp } from './ip-layer.js';
import type { LinkType } from './link-layer.js';
import { parseLinkLayer, readU16 } from './link-layer.js';
import type { IgnoredReason, MalformedReason } from './reasons.js';

/**
 * One captured packet in, what it means out. DNS over TCP may carry several messages in one
 * segment, so a packet yields a list of answers plus the problems met along the way.
 */
export type PacketOutcome =
  | { kind: 'dns'; answers: ObservedDnsAnswer[]; ignored: readonly IgnoredReason[]; malformed: readonly MalformedReason[] }
  | { kind: 'syn'; connection: ObservedConnection; clientPort: number }
  | { kind: 'syn-ack'; answer: HandshakeAnswer }
  | { kind: 'ignored'; reason: IgnoredReason }
  | { kind: 'malformed'; reason: MalformedReason };

const dnsPort = 53;
const none: readonly never[] = Object.freeze([]);
const tcpSyn = 0x02;
const tcpAck = 0x10;

export function decodePacket(bytes: Uint8Array, length: number, linkType: LinkType, seenAt: number): PacketOutcome {
  const captured = Math.min(length, bytes.length);
  const link = parseLinkLayer(bytes, captured, linkType);
  if (!link.ok) return { kind: 'malformed', reason: link.reason };
  const ip = parseIp(bytes, link.offset, captured, link.etherType);
  if (!ip.ok) return ip.kind === 'ignored' ? { kind: 'ignored', reason: ip.reason } : { kind: 'malformed', reason: ip.reason };
  const { offset, end } = ip;

  if (ip.protocol === protocolUdp) {
    if (end - offset < 8) return { kind: 'malformed', reason: 'transport-truncated' };
    if (readU16(bytes, offset) !== dnsPort) return { kind: 'ignored', reason: 'not-dns-or-syn' };
    const udpLength = readU16(bytes, offset + 4);
    if (udpLength < 8) return { kind: 'malformed', reason: 'transport-bad-header' };
    // A first fragment holds less than the UDP length: decode what is there.
    const payloadEnd = Math.min(end, offset + udpLength);
    // One message per datagram: its outcome is built directly, without the lists TCP needs.
    const result = decodeDnsResponse(bytes, offset + 8, payloadEnd);
    if (result.ok) {
      const answer: ObservedDnsAnswer = { clientIP: ip.destinationIP, name: result.name, ips: result.ips, ttlSeconds: result.ttlSeconds, seenAt };
      if (result.cnames) answer.cnames = result.cnames;
      return { kind: 'dns', answers: [answer], ignored: none, malformed: none };
    }
    return result.kind === 'ignored' ? { kind: 'ignored', reason: result.reason } : { kind: 'malformed', reason: result.reason };
  }

  if (ip.protocol === protocolTcp) {
    if (end - offset < 20) return { kind: 'malformed', reason: 'transport-truncated' };
    const headerLength = ((bytes[offset + 12] ?? 0) >> 4) * 4;
    if (headerLength < 20) return { kind: 'malformed', reason: 'transport-bad-header' };
    if (end - offset < headerLength) return { kind: 'malformed', reason: 'transport-truncated' };
    const flags = bytes[offset + 13] ?? 0;
    if ((flags & tcpSyn) !== 0) {
      const sourcePort = readU16(bytes, offset);
      const destinationPort = readU16(bytes, offset + 2);
      if (sourcePort === 0 || destinationPort === 0) return { kind: 'malformed', reason: 'transport-bad-header' };
      if ((flags & tcpAck) === 0) {
        return {
          kind: 'syn',
          connection: { clientIP: ip.sourceIP, serverIP: ip.destinationIP, serverPort: destinationPort, source: 'SYN', seenAt },
          clientPort: sourcePort,
        };
      }
      return { kind: 'syn-ack', answer: { serverIP: ip.sourceIP, serverPort: sourcePort, clientIP: ip.destinationIP, clientPort: destinationPort } };
    }
    if (readU16(bytes, offset) !== dnsPort || end - offset === headerLength) {
      return { kind: 'ignored', reason: 'not-dns-or-syn' };
    }
    return collapse(dnsOverTcp(bytes, offset + headerLength, end, ip.destinationIP, seenAt));
  }
  return { kind: 'ignored', reason: 'other-protocol' };
}

/**
 * RFC 1035 4.2.2: each message is preceded by its 2-byte length. A message continuing from an
 * earlier segment cannot be recognised without reassembly; it is skipped and counted.
 */
interface DnsOutcomeBuilder {
  kind: 'dns';
  answers: ObservedDnsAnswer[];
  ignored: IgnoredReason[];
  malformed: MalformedReason[];
}

function dnsOverTcp(bytes: Uint8Array, start: number, end: number, clientIP: string, seenAt: number): DnsOutcomeBuilder {
  const outcome: DnsOutcomeBuilder = { kind: 'dns', answers: [], ignored: [], malformed: [] };
  let position = start;
  while (position < end) {
    if (end - position < 2) {
      outcome.ignored.push('dns-tcp-partial');
      break;
    }
    const messageLength = readU16(bytes, position);
    const messageStart = position + 2;
    if (messageLength === 0) {
      outcome.malformed.push('dns-truncated');
      break;
    }
    if (messageStart + messageLength > end) {
      outcome.ignored.push('dns-tcp-partial');
      break;
    }
    addDnsMessage(bytes, messageStart, messageStart + messageLength, clientIP, seenAt, outcome);
    position = messageStart + messageLength;
  }
  return outcome;
}

function addDnsMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  clientIP: string,
  seenAt: number,
  outcome: DnsOutcomeBuilder,
): void {
  const result = decodeDnsResponse(bytes, start, end);
  if (result.ok) {
    const answer: ObservedDnsAnswer = { clientIP, name: result.name, ips: result.ips, ttlSeconds: result.ttlSeconds, seenAt };
    if (result.cnames) answer.cnames = result.cnames;
    outcome.answers.push(answer);
  } else if (result.kind === 'ignored') {
    outcome.ignored.push(result.reason);
  } else {
    outcome.malformed.push(result.reason);
  }
}

/** A packet with exactly one DNS message that was not an answer is reported as that outcome. */
function collapse(outcome: DnsOutcomeBuilder): PacketOutcome {
  if (outcome.answers.length > 0) return outcome;
  const total = outcome.ignored.length + outcome.malformed.length;
  if (total === 1) {
    const [reason] = outcome.malformed;
    if (reason) return { kind: 'malformed', reason };
    const [ignoredReason] = outcome.ignored;
    if (ignoredReason) return { kind: 'ignored', reason: ignoredReason };
  }
  return outcome;
}
