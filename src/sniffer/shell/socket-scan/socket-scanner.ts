import { readdir, readFile, readlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Registry } from 'prom-client';
import type { Logger } from '../../../shared/logger.js';
import { errorFields } from '../../../shared/logger.js';
import type { ObservationSink } from '../../core/observed.js';
import { namespaceConnections } from '../../core/socket-scan/namespace-connections.js';
import { parseProcNetTcp } from '../../core/socket-scan/proc-net-tcp.js';
import type { SocketRow } from '../../core/socket-scan/proc-net-tcp.js';
import { malformedCounter, sharedCounter, sharedGauge, sharedHistogram } from '../capture-metrics.js';

export interface SocketScannerOptions {
  /** '/proc' on a host, or where the host's /proc is mounted in the pod (e.g. '/hostproc'). */
  procRoot: string;
  intervalMs: number;
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
  connections: number;
  /** Where the time went: finding namespaces, reading and parsing their tables. */
  listMs: number;
  readMs: number;
}

const hostEndianness = endianness();
const readConcurrency = 16;

/**
 * Finds the network namespaces through /proc/<pid>/ns/net (one link per process, all processes
 * of a namespace point to the same inode) and reads net/tcp and net/tcp6 through ONE process of
 * each namespace, falling back to the next process of the namespace when the first has exited.
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
    help: 'net/tcp and net/tcp6 files read (two per namespace per scan, one without IPv6).',
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
  const malformed = malformedCounter(registry);

  let last: ScanResult | undefined;
  let warnedDenied = false;
  let running: Promise<number> | undefined;

  async function namespacesByPid(): Promise<Map<string, string[]>> {
    const entries = await readdir(procRoot);
    const pids = entries.filter((name) => /^\d+$/.test(name));
    let denied = 0;
    const links = await Promise.all(
      pids.map((pid) =>
        readlink(`${procRoot}/${pid}/ns/net`).catch((error: unknown) => {
          const code = (error as { code?: string }).code;
          if (code === 'EACCES' || code === 'EPERM') denied++;
          return undefined;
        }),
      ),
    );
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

  /** Both tables of one namespace, or undefined when none of its processes is left to read them through. */
  async function readNamespace(pids: string[], reads: { tables: number }): Promise<SocketRow[] | undefined> {
    for (const pid of pids) {
      let tcp: string;
      try {
        tcp = await readFile(`${procRoot}/${pid}/net/tcp`, 'latin1');
      } catch {
        continue;
      }
      // No tcp6 file when the kernel runs without IPv6.
      const tcp6 = await readFile(`${procRoot}/${pid}/net/tcp6`, 'latin1').catch(() => '');
      tablesRead.inc(tcp6 === '' ? 1 : 2);
      reads.tables += tcp6 === '' ? 1 : 2;
      const rows: SocketRow[] = [];
      for (const table of [tcp, tcp6]) {
        const parsed = parseProcNetTcp(table, hostEndianness);
        for (const reason of parsed.malformed) malformed.inc({ source: 'proc', reason });
        for (const row of parsed.rows) rows.push(row);
      }
      return rows;
    }
    return undefined;
  }

  async function scan(): Promise<number> {
    const stopTimer = scanSeconds.startTimer();
    const seenAt = Date.now();
    const started = performance.now();
    const byNamespace = await namespacesByPid();
    const listed = performance.now();
    const reads = { tables: 0 };
    const groups = [...byNamespace.values()];
    let connections = 0;
    let namespaces = 0;
    let nextGroup = 0;
    // Sixteen namespaces at a time: enough to keep libuv's file threads busy; reading all at once
    // holds a read buffer and a table per namespace at the same moment.
    const worker = async (): Promise<void> => {
      while (nextGroup < groups.length) {
        const pids = groups[nextGroup++] as string[];
        const rows = await readNamespace(pids, reads);
        if (rows === undefined) {
          scanErrors.inc({ reason: 'namespace-gone' });
          continue;
        }
        namespaces++;
        for (const connection of namespaceConnections(rows, seenAt)) {
          try {
            sink.connection(connection);
            connections++;
          } catch (error) {
            scanErrors.inc({ reason: 'sink-failed' });
            logger.error('observation sink failed', { procRoot, ...errorFields(error) });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(readConcurrency, groups.length) }, worker));
    const read = performance.now();
    connectionsFound.inc(connections);
    namespacesGauge.set(namespaces);
    last = { namespaces, tablesRead: reads.tables, connections, listMs: listed - started, readMs: read - listed };
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
  logger.info('socket scanner started', { procRoot, intervalMs: options.intervalMs });

  return {
    stop(): void {
      clearInterval(timer);
    },
    scanOnce,
    lastScan: () => last,
  };
}
