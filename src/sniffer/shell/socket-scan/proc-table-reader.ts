import { closeSync, openSync, readSync } from 'node:fs';

/*
 * The kernel hands a /proc/net/tcp{,6} table over one seq_file buffer per read(): at least a
 * page (4 KiB), filled with whole lines until the next one does not fit or the table ends. A read
 * that returns less than a page minus the longest possible line therefore ended at the table's
 * end. Asking again would be answered by an iterator that starts over from the first bucket to
 * find nothing more: one more walk of the TCP hash table, which all namespaces share unless the
 * node sets net.ipv4.tcp_child_ehash_entries (262,144 buckets on a 24 GiB node, ~1.3 ms a walk).
 */
const smallestSeqFileBuffer = 4096;
const longestLine = 1024;
const endOfTable = smallestSeqFileBuffer - longestLine;

const buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads a whole /proc table synchronously: /proc is memory, not disk, so a read never waits for
 * a device, and one call per table costs far less than a round trip through libuv's threads per
 * 4 KiB. Throws as fs does (ENOENT when the process is gone).
 */
export function readProcTable(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let text = '';
    for (;;) {
      const bytes = readSync(fd, buffer, 0, buffer.length, null);
      if (bytes === 0) return text;
      text += buffer.toString('latin1', 0, bytes);
      if (bytes <= endOfTable) return text;
    }
  } finally {
    closeSync(fd);
  }
}
