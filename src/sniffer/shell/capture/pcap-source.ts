import cap from 'cap';
import type { Counter, Registry } from 'prom-client';
import type { Logger } from '../../../shared/logger.js';
import { errorFields } from '../../../shared/logger.js';
import { linkTypeFromName } from '../../core/capture/link-layer.js';
import type { LinkType } from '../../core/capture/link-layer.js';
import { HandshakeMatcher } from '../../core/capture/handshake-matcher.js';
import { decodePacket } from '../../core/capture/packet-decoder.js';
import { PcapCounterTotals } from '../../core/capture/pcap-counters.js';
import { decodeHttpPacket } from '../../core/http/http-packet.js';
import type { ObservationSink } from '../../core/observed.js';
import { malformedCounter, sharedCounter } from '../capture-metrics.js';

/**
 * DNS responses (UDP and TCP, source port 53) and TCP SYNs with or without ACK (a connection
 * counts once its SYN-ACK is seen: handshake-matcher.ts), IPv4 and IPv6.
 * `tcp[tcpflags]` only compiles to IPv4 checks, and libpcap's `udp`/`tcp` look at the IPv6 fixed
 * header's next-header field only; so IPv6 SYNs are matched on the fixed header (next header TCP,
 * flags byte at offset 40 + 13), and IPv6 packets that begin with a hop-by-hop, routing or
 * destination options header are all handed to the decoder, which walks the header chain. They
 * are rare (MLD reports, some tunnels), so this costs next to nothing.
 */
export const defaultCaptureFilter =
  '(udp src port 53) or (tcp src port 53) or ' +
  '(ip and tcp and (tcp[tcpflags] & tcp-syn) != 0) or ' +
  '(ip6 and ip6[6] == 6 and (ip6[53] & 0x02) != 0) or ' +
  '(ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 60))';

/**
 * The HTTP capture (HTTP_CAPTURE=true): TCP segments whose payload starts with an HTTP/1.x
 * method, a TLS handshake record (0x16 0x03) or the HTTP/2 preface ("PRI "), IPv4 and IPv6
 * (without extension headers). The payload offset is computed in the kernel from the TCP data
 * offset, so everything else (ACKs, responses, bodies, encrypted data) never reaches user space.
 * libpcap compiles it to 53 classic BPF instructions (the same on `any`, Ethernet and cooked v1):
 * a packet that is not TCP leaves after at most 6, an IPv4 TCP segment after at most 31, an IPv6
 * one after at most 21, and a segment without payload at its first payload load (out of bounds).
 */
export const httpCaptureFilter = (() => {
  const words = ['GET ', 'POST', 'PUT ', 'DELE', 'HEAD', 'OPTI', 'PATC', 'TRAC', 'CONN', 'PRI '].map(
    (word) => `0x${Buffer.from(word, 'latin1').toString('hex')}`,
  );
  const v4 = 'tcp[((tcp[12] & 0xf0) >> 2):4]';
  const v4Tls = 'tcp[((tcp[12] & 0xf0) >> 2):2]';
  const v6 = 'ip6[(40 + ((ip6[52] & 0xf0) >> 2)):4]';
  const v6Tls = 'ip6[(40 + ((ip6[52] & 0xf0) >> 2)):2]';
  const any = (load: string, tls: string) => `(${words.map((w) => `${load} = ${w}`).join(' or ')} or ${tls} = 0x1603)`;
  return `(ip and tcp and ${any(v4, v4Tls)}) or (ip6 and ip6[6] == 6 and ${any(v6, v6Tls)})`;
})();

/** Bytes per packet of the HTTP capture: link, IP and TCP headers, and a request line of ~900 bytes. */
export const defaultHttpSnapLength = 1024;

export type CaptureDecoder = 'dns-syn' | 'http';

export interface PacketCaptureOptions {
  /**
   * What the capture is for: DNS responses and SYNs (the default) or HTTP requests. The HTTP
   * capture is a second libpcap handle with its own filter, snap length, buffer and pcap counters
   * (`netmap_sniffer_http_pcap_*`), so the first capture's settings and figures stay as they were.
   */
  decoder?: CaptureDecoder;
  device: string;
  /** libpcap's kernel buffer size. */
  bufferBytes: number;
  /** Bytes the kernel copies per packet (pcap_set_snaplen; 65535 for DNS and SYNs, defaultHttpSnapLength for HTTP). */
  snapLength?: number;
  /**
   * libpcap's immediate mode (default off). On, libpcap on Linux uses TPACKET_V2 with one ring
   * slot per packet sized by the snap length (128 KiB on `any`), which loses packets at tens of
   * thousands per second; off, it uses TPACKET_V3 blocks and delivers in batches, at most
   * `readTimeoutMs` late. Needs patches/cap-0.2.1.patch.
   */
  immediateMode?: boolean;
  /** libpcap's read timeout: the longest a batch waits when immediate mode is off (default 1000 ms). */
  readTimeoutMs?: number;
  sink: ObservationSink;
  registry: Registry;
  logger: Logger;
  filter?: string;
}

export interface PacketCaptureStats {
  /** Packets the filter accepted since the capture started (libpcap's ps_recv; on Linux this includes the dropped ones). */
  received: number;
  /** Packets the kernel dropped because our buffer was full (ps_drop). */
  dropped: number;
  /** Packets the interface or its driver dropped since the capture started (ps_ifdrop; 0 on `any`). */
  ifDropped: number;
  /** Packets handed to us and decoded. */
  delivered: number;
}

export interface PacketCapture {
  /** The link type the device presents, as the decoder reads it. */
  readonly linkType: LinkType;
  stop(): void;
  /**
   * Resolves once libpcap has handed over what it captured so far (its received count, less
   * drops, is what we were given), or after one read timeout and a little more, whichever is
   * first. Without immediate mode a partly filled batch waits in the kernel for up to the read
   * timeout: call this before stop() at shutdown so the last packets reach the sink. (The bound
   * matters on loopback, where libpcap counts outgoing copies it then skips.)
   */
  drain(): Promise<void>;
  /** Reads pcap_stats() now (after stop(), the last reading). */
  stats(): PacketCaptureStats;
}

/** Every capture on a registry, read by the pcap counters' collect() on each scrape. */
const pollersByRegistry = new WeakMap<Registry, Set<() => void>>();

interface PcapMetrics {
  received: Counter<'device'>;
  dropped: Counter<'device'>;
  ifDropped: Counter<'device'>;
  /** Brings every capture's counters on this registry up to date (what a scrape runs first). */
  collect: () => void;
}

/** libpcap's counters, one set per capture (written as literals: the chart's tests look for them). */
const pcapMetricNames = {
  'dns-syn': {
    what: '',
    received: { name: 'netmap_sniffer_pcap_received_total' },
    dropped: { name: 'netmap_sniffer_pcap_dropped_total' },
    ifDropped: { name: 'netmap_sniffer_pcap_interface_dropped_total' },
  },
  http: {
    what: 'HTTP capture: ',
    received: { name: 'netmap_sniffer_http_pcap_received_total' },
    dropped: { name: 'netmap_sniffer_http_pcap_dropped_total' },
    ifDropped: { name: 'netmap_sniffer_http_pcap_interface_dropped_total' },
  },
} as const;

function pcapMetrics(registry: Registry, decoder: CaptureDecoder): PcapMetrics {
  const names = pcapMetricNames[decoder];
  const what = names.what;
  let pollers = pollersByRegistry.get(registry);
  if (!pollers) {
    pollers = new Set();
    pollersByRegistry.set(registry, pollers);
  }
  const registered = pollers;
  const collect = (): void => {
    for (const poll of registered) poll();
  };
  return {
    received: sharedCounter(registry, {
      name: names.received.name,
      help: what + "Packets the capture filter accepted, by device (libpcap's ps_recv; on Linux includes dropped ones; on any, each interface a packet crosses counts).",
      labelNames: ['device'],
      collect,
    }),
    dropped: sharedCounter(registry, {
      name: names.dropped.name,
      help: what + "Packets the kernel dropped because the capture buffer was full, by device (libpcap's ps_drop).",
      labelNames: ['device'],
      collect,
    }),
    ifDropped: sharedCounter(registry, {
      name: names.ifDropped.name,
      help: what + "Packets the captured interface or its driver dropped since the capture started, by device (libpcap's ps_ifdrop; 0 on any).",
      labelNames: ['device'],
      collect,
    }),
    collect,
  };
}

const summaryIntervalMs = 60_000;
const statsIntervalMs = 10_000;
const drainPollMs = 20;
const drainSlackMs = 250;

export function startPacketCapture(options: PacketCaptureOptions): PacketCapture {
  const { device, sink, registry, logger } = options;
  const decoder = options.decoder ?? 'dns-syn';
  const httpSink = sink.httpRequest?.bind(sink);
  if (decoder === 'http' && !httpSink) throw new Error('the HTTP capture needs a sink that takes HTTP requests');
  const filter = options.filter ?? (decoder === 'http' ? httpCaptureFilter : defaultCaptureFilter);
  const buffer = Buffer.alloc(options.snapLength ?? (decoder === 'http' ? defaultHttpSnapLength : 65535));
  const readTimeoutMs = options.readTimeoutMs ?? 1000;
  const capture = new cap.Cap();
  // An unpatched cap would ignore the options (immediate mode on) and have no drop counts.
  if (typeof capture.stats !== 'function') {
    throw new Error('cap was built without patches/cap-0.2.1.patch (no stats()); run scripts/setup.sh cap-patch');
  }
  let linkName: string;
  try {
    linkName = capture.open(device, filter, options.bufferBytes, buffer, {
      immediate: options.immediateMode ?? false,
      timeout: readTimeoutMs,
      // The kernel copies no more than we read: the HTTP capture's packets are mostly bodies.
      snapLength: buffer.length,
    });
  } catch (error) {
    throw new Error(`cannot capture on ${device}: ${errorFields(error).error}`, { cause: error });
  }
  const linkType = linkTypeFromName(linkName);
  if (!linkType) {
    capture.close();
    throw new Error(`cannot capture on ${device}: unsupported link type ${linkName}`);
  }

  const pcapCounters = pcapMetrics(registry, decoder);
  const packets = sharedCounter(registry, {
    name: 'netmap_sniffer_packets_total',
    help: 'Captured packets by outcome: dns (a response with answers), syn, syn-ack, http (HTTP capture: a request, TLS or HTTP/2 payload), ignored, malformed.',
    labelNames: ['kind'],
    collect: pcapCounters.collect,
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
  const httpRequests = sharedCounter(registry, {
    name: 'netmap_sniffer_http_requests_total',
    help: 'HTTP capture: plaintext HTTP/1.x request lines read (several per packet when pipelined).',
  });
  const httpSkipped = sharedCounter(registry, {
    name: 'netmap_sniffer_http_skipped_total',
    help: 'HTTP capture: payloads or request lines not turned into a request, by reason (tls, http2, line-split, line-too-long, bad-method, bad-target, bad-version, pipeline-unknown-length, pipeline-too-many, no-path, path-too-long).',
    labelNames: ['reason'],
  });
  const unanswered = sharedCounter(registry, {
    name: 'netmap_sniffer_unanswered_syns_total',
    help: 'Connection attempts left out of the map because no SYN-ACK answered them, by reason: no-answer (refused, dropped by a policy, nothing there) or table-full (forgotten unanswered to keep the bound).',
    labelNames: ['reason'],
    collect: pcapCounters.collect,
  });
  const sinkErrors = sharedCounter(registry, {
    name: 'netmap_sniffer_sink_errors_total',
    help: 'Observations the reporting side refused with an exception.',
  });

  // Counted in plain numbers per packet and moved into the counter when it is read (a scrape,
  // the stats timer, stop): prom-client builds a label string and a result object on every inc(),
  // garbage at tens of thousands of packets per second.
  const packetsByKind = { dns: 0, syn: 0, 'syn-ack': 0, http: 0, ignored: 0, malformed: 0 };
  let requestsRead = 0;
  const handshakes = new HandshakeMatcher();
  const flushPackets = (): void => {
    handshakes.expire(Date.now());
    const { unanswered: noAnswer, evicted } = handshakes.takeCounts();
    if (noAnswer > 0) unanswered.inc({ reason: 'no-answer' }, noAnswer);
    if (evicted > 0) unanswered.inc({ reason: 'table-full' }, evicted);
    for (const kind of ['dns', 'syn', 'syn-ack', 'http', 'ignored', 'malformed'] as const) {
      const count = packetsByKind[kind];
      if (count === 0) continue;
      packets.inc({ kind }, count);
      packetsByKind[kind] = 0;
    }
    if (requestsRead > 0) httpRequests.inc(requestsRead);
    requestsRead = 0;
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

  let delivered = 0;
  let malformedSinceSummary = 0;
  const totals = new PcapCounterTotals();
  let open = true;
  let statsErrorLogged = false;
  // Reads pcap_stats() and moves the counters by what libpcap counted since the last reading.
  const poll = (): void => {
    if (!open) return;
    flushPackets();
    try {
      const grown = totals.update(capture.stats());
      pcapCounters.received.inc({ device }, grown.received);
      pcapCounters.dropped.inc({ device }, grown.dropped);
      pcapCounters.ifDropped.inc({ device }, grown.ifDropped);
    } catch (error) {
      if (!statsErrorLogged) logger.error('cannot read pcap statistics', { device, ...errorFields(error) });
      statsErrorLogged = true;
    }
  };
  poll();
  pollersByRegistry.get(registry)?.add(poll);
  // Also without scrapes, so the 32-bit counters are read more often than they can wrap.
  const statsTimer = setInterval(poll, statsIntervalMs);
  statsTimer.unref();

  const onHttpPacket = (length: number, isTruncated: boolean, wireLength: number): void => {
    delivered++;
    const outcome = decodeHttpPacket(buffer, length, linkType, Date.now(), isTruncated || wireLength > length);
    packetsByKind[outcome.kind]++;
    try {
      switch (outcome.kind) {
        case 'http':
          for (const reason of outcome.skipped) httpSkipped.inc({ reason });
          requestsRead += outcome.requests.length;
          for (const request of outcome.requests) httpSink!(request);
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
  };

  // The HTTP capture's snap length cuts most packets on purpose: not counted as truncated.
  if (decoder === 'http') capture.on('packet', onHttpPacket);
  else capture.on('packet', (length: number, isTruncated: boolean) => {
    delivered++;
    if (isTruncated) truncated.inc();
    const outcome = decodePacket(buffer, length, linkType, Date.now());
    packetsByKind[outcome.kind]++;
    try {
      switch (outcome.kind) {
        case 'dns':
          for (const reason of outcome.ignored) countIgnored(reason);
          for (const reason of outcome.malformed) malformed.inc({ source: 'packet', reason });
          malformedSinceSummary += outcome.malformed.length;
          for (const answer of outcome.answers) sink.dnsAnswer(answer);
          break;
        case 'syn':
          handshakes.syn(outcome.connection, outcome.clientPort);
          break;
        case 'syn-ack': {
          const connection = handshakes.answer(outcome.answer, Date.now());
          if (connection) sink.connection(connection);
          break;
        }
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

  logger.info('packet capture started', {
    device, decoder, linkType: linkName, filter, bufferBytes: options.bufferBytes, snapLength: buffer.length,
    immediateMode: options.immediateMode ?? false, readTimeoutMs,
  });

  let stopped = false;
  return {
    linkType,
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(summary);
      clearInterval(statsTimer);
      poll();
      open = false;
      pollersByRegistry.get(registry)?.delete(poll);
      capture.close();
      const last = totals.current();
      logger.info('packet capture stopped', { device, decoder, delivered, received: last.received, dropped: last.dropped, ifDropped: last.ifDropped });
    },
    async drain(): Promise<void> {
      const deadline = Date.now() + readTimeoutMs + drainSlackMs;
      for (;;) {
        poll();
        const { received, dropped } = totals.current();
        if (!open || received - dropped <= delivered || Date.now() >= deadline) return;
        await new Promise((resolve) => setTimeout(resolve, drainPollMs));
      }
    },
    stats(): PacketCaptureStats {
      poll();
      return { ...totals.current(), delivered };
    },
  };
}
