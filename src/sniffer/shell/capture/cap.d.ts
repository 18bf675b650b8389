// The part of `cap` 0.2.1 (CommonJS, no published types) that pcap-source.ts uses, with
// patches/cap-0.2.1.patch applied (open options, stats()).
declare module 'cap' {
  import type { EventEmitter } from 'node:events';

  interface CapOpenOptions {
    /** pcap_set_immediate_mode(1) (cap's default: true); false lets libpcap batch packets. */
    immediate?: boolean;
    /** libpcap's read timeout in ms (default 1000): how long a batch may wait without immediate mode. */
    timeout?: number;
    /** pcap_set_snaplen: bytes the kernel copies per packet, 64 to 262144 (default 65535). */
    snapLength?: number;
  }

  /** pcap_stats() since open(): 32-bit counters that wrap. */
  interface CapStats {
    received: number;
    dropped: number;
    ifDropped: number;
  }

  interface CapHandle extends EventEmitter {
    /** Returns the link type: 'ETHERNET', 'LINKTYPE_LINUX_SLL', 'RAW', ... or 'Unknown linktype <n>'. */
    open(device: string, filter: string, bufferSize: number, buffer: Buffer, options?: CapOpenOptions): string;
    close(): void;
    /** Throws when the capture is not open. */
    stats(): CapStats;
    /**
     * `length`: bytes copied into the buffer; `truncated`: the buffer was shorter than what libpcap
     * captured; `wireLength`: the packet's length on the wire (larger when the snap length cut it).
     */
    on(event: 'packet', listener: (length: number, truncated: boolean, wireLength: number) => void): this;
  }

  const cap: { Cap: new () => CapHandle };
  export = cap;
}
