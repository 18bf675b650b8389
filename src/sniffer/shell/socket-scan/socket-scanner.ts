import { readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { endianness } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import type { Logger } from '../../../shared/logger.js';
import { errorFields } from '../../../shared/logger.js';
import type { ObservationSink, ObservedConnection } from '../../core/observed.js';
import { namespaceConnections } from '../../core/socket-scan/namespace-connections.js';
import { parseProcNetTcp } from '../../core/socket-scan/proc-net-tcp.js';
import type { SocketRow } from '../../core/socket-scan/proc-net-tcp.js';
import { ScanReuse } from '../../core/socket-scan/scan-reuse.js';
import { tablesWorthReading } from '../../core/socket-scan/sockstat.js';
import { namespaceActivity } from '../../core/socket-scan/tcp-activity.js';
import { malformedCounter, sharedCounter, sharedGauge, sharedHistogram } from '../capture-metrics.js';
import { readProcTable } from './proc-table-reader.js';
import { readChildEhashEntries } from './tcp-hash-setting.js';

export interface SocketScannerOptions {
  /** '/proc' on a host, or where the host's /proc is mounted in the pod (e.g. '/hostproc'). */
  procRoot: string;
  intervalMs: number;
  /**
   * How long a namespace whose TCP counters have not moved is reported from its last read instead
   * of reading its tables again (default 60 s; 0 reads every namespace on every scan).
   */
  maxReuseMs?: number;
  sink: ObservationSink;
  registry: Registry;
  logger: Logger;
}

export interface SocketScanner {
  stop(): void;
  /** Scans every network namespace once; resolves with the number of connections reported. */
  scanOnce(): Promise<number>;
}

export interface ScanResult {
  namespaces: number;
  tablesRead: number;
  /** Tables not read because the namespace's sockstat counted no TCP socket of that family. */
  tablesSkipped: number;
  /** Namespaces reported from their last read because their TCP counters had not moved. */
  reused: number;
  connections: number;
  /** Where the time went: finding namespaces, reading and parsing their tables. */
  listMs: number;
  readMs: number;
}

const hostEndianness = endianness();
/** The scan reads synchronously (see proc-table-reader.ts); it gives the event loop back this often. */
const sliceMs = 5;
const defaultMaxReuseMs = 60_000;

/**
 * Finds the network namespaces through /proc/<pid>/ns/net (one link per process, all processes
 * of a namespace point to the same inode) and reads net/tcp and net/tcp6 through ONE process of
 * each namespace, falling back to the next process of the namespace when the first has exited.
 * A table whose family the namespace's sockstat counts no socket of is not read at all, and a
 * namespace whose TCP counters (net/snmp, sockstat) have not moved since its last read is reported
 * from that read, for up to `maxReuseMs`.
 */
export function startSocketScanner(options: SocketScannerOptions): SocketScanner & { lastScan(): ScanResult | undefined } {
  const { procRoot, sink, registry, logger } = options;
  const scanSeconds = sharedHistogram(registry, {
    name: 'netmap_sniffer_socket_scan_seconds',
    help: 'Time of one socket scan over every network namespace.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const namespacesGauge = sharedGauge(registry, {
    name: 'netmap_sniffer_socket_scan_namespaces',
    help: 'Network namespaces read by the last socket scan.',
  });
  const tablesRead = sharedCounter(registry, {
    name: 'netmap_sniffer_socket_scan_tables_read_total',
    help: 'net/tcp and net/tcp6 files read (at most two per namespace per scan).',
  });
  const tablesSkipped = sharedCounter(registry, {
    name: 'netmap_sniffer_socket_scan_tables_skipped_total',
    help: "net/tcp or net/tcp6 files not read because the namespace's sockstat counted no TCP socket of that family.",
  });
  const connectionsFound = sharedCounter(registry, {
    name: 'netmap_sniffer_socket_scan_connections_total',
    help: 'Client-side established connections reported by the socket scan.',
  });
  const scanErrors = sharedCounter(registry, {
    name: 'netmap_sniffer_socket_scan_errors_total',
    help: 'Socket scans or namespaces that could not be read, by reason.',
    labelNames: ['reason'],
  });
  const reusedCounter = sharedCounter(registry, {
    name: 'netmap_sniffer_socket_scan_namespaces_reused_total',
    help: 'Namespaces reported from their last read of net/tcp{,6} because their TCP counters (net/snmp, sockstat) had not moved.',
  });
  const malformed = malformedCounter(registry);
  const reuse = new ScanReuse(options.maxReuseMs ?? defaultMaxReuseMs);
  const childEhashEntries = readChildEhashEntries(procRoot);
  if (childEhashEntries !== undefined) {
    sharedGauge(registry, {
      name: 'netmap_sniffer_tcp_child_ehash_entries',
      help: "The node's net.ipv4.tcp_child_ehash_entries: 0 means new pods share the host's TCP hash table, and the scan walks all of it once per namespace.",
    }).set(childEhashEntries);
  }

  let last: ScanResult | undefined;
  let warnedDenied = false;
  let running: Promise<number> | undefined;

  async function namespacesByPid(): Promise<Map<string, string[]>> {
    const entries = await readdir(procRoot);
    const pids = entries.filter((name) => /^\d+$/.test(name));
    let denied = 0;
    // Synchronous: a few microseconds each, against a libuv round trip each when asynchronous.
    const links = pids.map((pid) => {
      try {
        return readlinkSync(`${procRoot}/${pid}/ns/net`);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'EACCES' || code === 'EPERM') denied++;
        return undefined;
      }
    });
    if (denied > 0) {
      // Without CAP_SYS_PTRACE the namespace links of other processes cannot be read: say so.
      scanErrors.inc({ reason: 'ns-link-denied' }, denied);
      // A process in the middle of exec is briefly unreadable too; only a majority means missing rights.
      if (!warnedDenied && denied * 2 > pids.length) {
        warnedDenied = true;
        logger.warn('cannot read the network namespace of some processes (CAP_SYS_PTRACE missing?)', { procRoot, denied });
      }
    }
    const byNamespace = new Map<string, string[]>();
    pids.forEach((pid, index) => {
      const link = links[index];
      if (link === undefined) return; // exited, or a kernel thread we may not look into
      const group = byNamespace.get(link);
      if (group) group.push(pid);
      else byNamespace.set(link, [pid]);
    });
    return byNamespace;
  }

  /** Reads a small /proc file of a namespace; undefined when it is missing (no IPv6, process gone). */
  function readOptional(path: string): string | undefined {
    try {
      return readProcTable(path);
    } catch {
      return undefined;
    }
  }

  /**
   * The client-side connections of one namespace, from its tables or, while its TCP counters
   * stand still, from its last read; undefined when none of its processes is left to read through.
   */
  function readNamespace(namespace: string, pids: string[], reads: { tables: number; skipped: number; reused: number }, seenAt: number): ObservedConnection[] | undefined {
    for (const pid of pids) {
      const net = `${procRoot}/${pid}/net`;
      const sockstat = readOptional(`${net}/sockstat`);
      if (sockstat === undefined) continue; // exited: try the namespace's next process
      // No sockstat6 (nor tcp6) when the kernel runs without IPv6.
      const sockstat6 = readOptional(`${net}/sockstat6`);
      const snmp = readOptional(`${net}/snmp`);
      const activity = snmp === undefined ? undefined : namespaceActivity(snmp, sockstat, sockstat6);
      const held = reuse.reusable(namespace, activity, seenAt);
      if (held) {
        reads.reused++;
        return held.map((connection) => ({ ...connection, seenAt }));
      }
      const { read, skipped } = tablesWorthReading(sockstat, sockstat6);
      let tables: string[];
      try {
        tables = read.map((table) => readProcTable(`${net}/${table}`));
      } catch {
        continue;
      }
      reads.skipped += skipped;
      reads.tables += tables.length;
      const rows: SocketRow[] = [];
      let connecting = 0;
      for (const table of tables) {
        const parsed = parseProcNetTcp(table, hostEndianness);
        for (const reason of parsed.malformed) malformed.inc({ source: 'proc', reason });
        for (const row of parsed.rows) rows.push(row);
        connecting += parsed.connecting;
      }
      const connections = namespaceConnections(rows, seenAt);
      reuse.remember(namespace, activity, connections, seenAt, connecting);
      return connections;
    }
    return undefined;
  }

  async function scan(): Promise<number> {
    const stopTimer = scanSeconds.startTimer();
    const seenAt = Date.now();
    const started = performance.now();
    const byNamespace = await namespacesByPid();
    const listed = performance.now();
    const reads = { tables: 0, skipped: 0, reused: 0 };
    let connections = 0;
    let namespaces = 0;
    let sliceStart = performance.now();
    for (const [namespace, pids] of byNamespace) {
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      const found = readNamespace(namespace, pids, reads, seenAt);
      if (found === undefined) {
        scanErrors.inc({ reason: 'namespace-gone' });
        continue;
      }
      namespaces++;
      for (const connection of found) {
        try {
          sink.connection(connection);
          connections++;
        } catch (error) {
          scanErrors.inc({ reason: 'sink-failed' });
          logger.error('observation sink failed', { procRoot, ...errorFields(error) });
        }
      }
    }
    const read = performance.now();
    tablesRead.inc(reads.tables);
    tablesSkipped.inc(reads.skipped);
    reusedCounter.inc(reads.reused);
    reuse.prune(new Set(byNamespace.keys()));
    connectionsFound.inc(connections);
    namespacesGauge.set(namespaces);
    last = { namespaces, tablesRead: reads.tables, tablesSkipped: reads.skipped, reused: reads.reused, connections, listMs: listed - started, readMs: read - listed };
    stopTimer();
    return connections;
  }

  function scanOnce(): Promise<number> {
    // Overlapping scans would read every namespace twice; callers share the running one.
    running ??= scan().finally(() => {
      running = undefined;
    });
    return running;
  }

  const timer = setInterval(() => {
    scanOnce().catch((error: unknown) => {
      scanErrors.inc({ reason: 'scan-failed' });
      logger.error('socket scan failed', { procRoot, ...errorFields(error) });
    });
  }, options.intervalMs);
  timer.unref();
  logger.info('socket scanner started', { procRoot, intervalMs: options.intervalMs, maxReuseMs: options.maxReuseMs ?? defaultMaxReuseMs, childEhashEntries });
  if (childEhashEntries === 0) {
    logger.info('pods share the kernel TCP hash table: each namespace read walks all of it; net.ipv4.tcp_child_ehash_entries on the node makes scans faster (docs/sniffer-capture.md)', {
      procRoot,
    });
  }

  return {
    stop(): void {
      clearInterval(timer);
    },
    scanOnce,
    lastScan: () => last,
  };
}
