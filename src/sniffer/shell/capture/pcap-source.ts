import { readFileSync } from 'node:fs';
import cap from 'cap';
import type { Registry } from 'prom-client';
import type { Logger } from '../../../shared/logger.js';
import { errorFields } from '../../../shared/logger.js';
import { linkTypeFromName } from '../../core/capture/link-layer.js';
import type { LinkType } from '../../core/capture/link-layer.js';
import { decodePacket } from '../../core/capture/packet-decoder.js';
import type { ObservationSink } from '../../core/observed.js';
import { malformedCounter, sharedCounter, sharedGauge } from '../capture-metrics.js';

/**
 * DNS responses (UDP and TCP, source port 53) and TCP SYNs without ACK, IPv4 and IPv6.
 * `tcp[tcpflags]` only compiles to IPv4 checks, so IPv6 SYNs are matched on the fixed header
 * (next header TCP, flags byte at offset 40 + 13); an IPv6 SYN behind extension headers is not
 * matched (TCP SYNs carry none in practice).
 */
export const defaultCaptureFilter =
  '(udp src port 53) or (tcp src port 53) or ' +
  '(ip and tcp and (tcp[tcpflags] & (tcp-syn|tcp-ack)) == tcp-syn) or ' +
  '(ip6 and ip6[6] == 6 and (ip6[53] & 0x12) == 0x02)';

export interface PacketCaptureOptions {
  device: string;
  /** libpcap's kernel ring size. */
  bufferBytes: number;
  /** Bytes copied per packet (cap always asks libpcap for 65535). */
  snapLength?: number;
  sink: ObservationSink;
  registry: Registry;
  logger: Logger;
  filter?: string;
}

export interface PacketCaptureStats {
  /** Packets the filter passed and we decoded. */
  received: number;
  /**
   * Packets the kernel dropped because our ring was full. `cap` 0.2.1 does not expose
   * pcap_stats(), so this is null: not known, rather than a made-up zero.
   */
  dropped: number | null;
  /** Receive drops of the interface since the capture started (null on `any`). */
  ifDropped: number | null;
}

export interface PacketCapture {
  /** The link type the device presents, as the decoder reads it. */
  readonly linkType: LinkType;
  stop(): void;
  stats(): PacketCaptureStats;
}

const summaryIntervalMs = 60_000;

export function startPacketCapture(options: PacketCaptureOptions): PacketCapture {
  const { device, sink, registry, logger } = options;
  const filter = options.filter ?? defaultCaptureFilter;
  const buffer = Buffer.alloc(options.snapLength ?? 65535);
  const capture = new cap.Cap();
  let linkName: string;
  try {
    linkName = capture.open(device, filter, options.bufferBytes, buffer) as string;
  } catch (error) {
    throw new Error(`cannot capture on ${device}: ${errorFields(error).error}`, { cause: error });
  }
  const linkType = linkTypeFromName(linkName);
  if (!linkType) {
    capture.close();
    throw new Error(`cannot capture on ${device}: unsupported link type ${linkName}`);
  }

  const packets = sharedCounter(registry, {
    name: 'netmap_sniffer_packets_total',
    help: 'Captured packets by outcome: dns (a response with answers), syn, ignored, malformed.',
    labelNames: ['kind'],
  });
  const ignored = sharedCounter(registry, {
    name: 'netmap_sniffer_packets_ignored_total',
    help: 'Captured packets or DNS messages that carry nothing to report, by reason.',
    labelNames: ['reason'],
  });
  const malformed = malformedCounter(registry);
  const truncated = sharedCounter(registry, {
    name: 'netmap_sniffer_pcap_truncated_total',
    help: 'Packets longer than the snap length; decoded as far as they were copied.',
  });
  const sinkErrors = sharedCounter(registry, {
    name: 'netmap_sniffer_sink_errors_total',
    help: 'Observations the reporting side refused with an exception.',
  });
  const ifDroppedGauge = sharedGauge(registry, {
    name: 'netmap_sniffer_interface_dropped_packets',
    help: 'Receive drops of the captured interface since the capture started.',
    labelNames: ['device'],
  });

  // Bound children: at tens of thousands of packets per second, label lookups per packet show.
  const packetsByKind = {
    dns: packets.labels('dns'),
    syn: packets.labels('syn'),
    ignored: packets.labels('ignored'),
    malformed: packets.labels('malformed'),
  };
  const ignoredByReason = new Map<string, { inc(): void }>();
  const countIgnored = (reason: string): void => {
    let child = ignoredByReason.get(reason);
    if (!child) {
      child = ignored.labels(reason);
      ignoredByReason.set(reason, child);
    }
    child.inc();
  };

  const ifDroppedAtStart = readInterfaceDrops(device);
  let received = 0;
  let malformedSinceSummary = 0;

  capture.on('packet', (length: number, isTruncated: boolean) => {
    received++;
    if (isTruncated) truncated.inc();
    const outcome = decodePacket(buffer, length, linkType, Date.now());
    packetsByKind[outcome.kind].inc();
    try {
      switch (outcome.kind) {
        case 'dns':
          for (const reason of outcome.ignored) countIgnored(reason);
          for (const reason of outcome.malformed) malformed.inc({ source: 'packet', reason });
          malformedSinceSummary += outcome.malformed.length;
          for (const answer of outcome.answers) sink.dnsAnswer(answer);
          break;
        case 'syn':
          sink.connection(outcome.connection);
          break;
        case 'ignored':
          countIgnored(outcome.reason);
          break;
        case 'malformed':
          malformed.inc({ source: 'packet', reason: outcome.reason });
          malformedSinceSummary++;
          break;
      }
    } catch (error) {
      sinkErrors.inc();
      logger.error('observation sink failed', { device, ...errorFields(error) });
    }
  });

  // One line a minute instead of one per hostile packet.
  const summary = setInterval(() => {
    if (malformedSinceSummary === 0) return;
    logger.warn('skipped malformed packets', { device, count: malformedSinceSummary });
    malformedSinceSummary = 0;
  }, summaryIntervalMs);
  summary.unref();

  logger.info('packet capture started', { device, linkType: linkName, filter, bufferBytes: options.bufferBytes });

  const interfaceDrops = (): number | null => {
    const now = readInterfaceDrops(device);
    if (now === null || ifDroppedAtStart === null) return null;
    const drops = now - ifDroppedAtStart;
    ifDroppedGauge.set({ device }, drops);
    return drops;
  };

  let stopped = false;
  return {
    linkType,
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(summary);
      capture.close();
      logger.info('packet capture stopped', { device, received });
    },
    stats(): PacketCaptureStats {
      return { received, dropped: null, ifDropped: interfaceDrops() };
    },
  };
}

/** libpcap's own ps_ifdrop on Linux comes from the same counter. */
function readInterfaceDrops(device: string): number | null {
  if (device === 'any' || device.includes('/')) return null;
  try {
    return Number(readFileSync(`/sys/class/net/${device}/statistics/rx_dropped`, 'utf8').trim());
  } catch {
    return null;
  }
}
