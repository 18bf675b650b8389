/** libpcap's pcap_stats() counters: packets the filter accepted, dropped by our buffer, by the interface. */
export interface PcapCounters {
  received: number;
  dropped: number;
  ifDropped: number;
}

const wrap = 2 ** 32;

/** How far a 32-bit counter moved from `before` to `now`, across at most one wrap. */
export function counterDelta(before: number, now: number): number {
  return now >= before ? now - before : now + wrap - before;
}

/**
 * Turns libpcap's 32-bit counters (u_int in struct pcap_stat, which wrap after 4.3 billion
 * packets, a day at 50,000/s) into totals that only grow, as long as they are read at least
 * once per wrap (every scrape and every stats() call reads them).
 */
export class PcapCounterTotals {
  private last: PcapCounters = { received: 0, dropped: 0, ifDropped: 0 };
  private totals: PcapCounters = { received: 0, dropped: 0, ifDropped: 0 };

  /** Records a reading and returns how much each total grew. */
  update(reading: PcapCounters): PcapCounters {
    const grown = {
      received: counterDelta(this.last.received, reading.received),
      dropped: counterDelta(this.last.dropped, reading.dropped),
      ifDropped: counterDelta(this.last.ifDropped, reading.ifDropped),
    };
    this.last = { ...reading };
    this.totals = {
      received: this.totals.received + grown.received,
      dropped: this.totals.dropped + grown.dropped,
      ifDropped: this.totals.ifDropped + grown.ifDropped,
    };
    return grown;
  }

  current(): PcapCounters {
    return { ...this.totals };
  }
}
