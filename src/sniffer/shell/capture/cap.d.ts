// The part of `cap` 0.2.1 (CommonJS, no published types) that pcap-source.ts uses.
declare module 'cap' {
  import type { EventEmitter } from 'node:events';

  interface CapHandle extends EventEmitter {
    /** Returns the link type: 'ETHERNET', 'LINKTYPE_LINUX_SLL', 'RAW', ... or 'Unknown linktype <n>'. */
    open(device: string, filter: string, bufferSize: number, buffer: Buffer): string;
    close(): void;
    on(event: 'packet', listener: (length: number, truncated: boolean) => void): this;
  }

  const cap: { Cap: new () => CapHandle };
  export = cap;
}
