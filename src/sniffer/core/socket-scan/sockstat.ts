/**
 * TCP sockets in use in one network namespace, from its net/sockstat ('TCP') or net/sockstat6
 * ('TCP6'), e.g. "TCP: inuse 201 orphan 0 tw 0 alloc 20101 mem 51". The kernel keeps these
 * counts per namespace, so reading them costs nothing, while reading an empty net/tcp6 still
 * walks the TCP hash table. Undefined when the line is missing or malformed: the caller then
 * reads the table rather than trust a guess.
 */
export function tcpSocketsInUse(sockstat: string, protocol: 'TCP' | 'TCP6'): number | undefined {
  const prefix = `${protocol}: inuse `;
  let lineStart = 0;
  while (lineStart < sockstat.length) {
    let lineEnd = sockstat.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = sockstat.length;
    if (sockstat.startsWith(prefix, lineStart)) {
      const digits = /^\d{1,12}(?= |$)/.exec(sockstat.slice(lineStart + prefix.length, lineEnd));
      return digits ? Number(digits[0]) : undefined;
    }
    lineStart = lineEnd + 1;
  }
  return undefined;
}

export type TcpTable = 'tcp' | 'tcp6';

/**
 * Which of a namespace's tables hold sockets, from its sockstat and sockstat6 (undefined when the
 * kernel has no IPv6, and then there is no tcp6 either). An unreadable count means read the table.
 */
export function tablesWorthReading(sockstat: string, sockstat6: string | undefined): { read: TcpTable[]; skipped: number } {
  const read: TcpTable[] = [];
  let skipped = 0;
  if (tcpSocketsInUse(sockstat, 'TCP') === 0) skipped++;
  else read.push('tcp');
  if (sockstat6 !== undefined) {
    if (tcpSocketsInUse(sockstat6, 'TCP6') === 0) skipped++;
    else read.push('tcp6');
  }
  return { read, skipped };
}
