/**
 * Whether a network namespace's TCP connections may have changed since the last scan, from
 * counters the kernel keeps per namespace and hands over without walking any table: the `Tcp:`
 * lines of net/snmp (connections opened actively and passively, failed attempts, resets and the
 * established count; IPv4 and IPv6 together) and the in-use counts of net/sockstat{,6} (which
 * also move when a listener opens or closes). Traffic counters (segments) are left out: they move
 * on every packet of an idle long-lived connection.
 *
 * A connection becomes established either after its SYN was sent (ActiveOpens counted it then)
 * or when a passive open completes (PassiveOpens); it leaves the established state by lowering
 * CurrEstab. So a namespace whose activity is unchanged has the same established connections as
 * at its last read, unless that read saw sockets in SYN_SENT: one of them becoming established
 * while another connection closes leaves every counter as it was (ScanReuse reads such
 * namespaces again). Reuse is bounded in time all the same (ScanReuse).
 */
const snmpFields = ['ActiveOpens', 'PassiveOpens', 'AttemptFails', 'EstabResets', 'CurrEstab'] as const;

/** The TCP counters of a net/snmp file as one string; undefined when they are missing or malformed. */
export function tcpActivity(snmp: string): string | undefined {
  const header = snmp.indexOf('Tcp: ');
  if (header < 0) return undefined;
  const headerEnd = snmp.indexOf('\n', header);
  if (headerEnd < 0) return undefined;
  const valuesEnd = snmp.indexOf('\n', headerEnd + 1);
  const valueLine = snmp.slice(headerEnd + 1, valuesEnd < 0 ? snmp.length : valuesEnd);
  if (!valueLine.startsWith('Tcp: ')) return undefined;
  const names = snmp.slice(header + 5, headerEnd).split(' ');
  const values = valueLine.slice(5).split(' ');
  if (names.length !== values.length) return undefined;
  const picked: string[] = [];
  for (const field of snmpFields) {
    const value = values[names.indexOf(field)];
    if (value === undefined || !/^\d{1,20}$/.test(value)) return undefined;
    picked.push(value);
  }
  return picked.join(' ');
}

/** What a namespace's activity is: its snmp TCP counters and its sockstat lines, or undefined when unreadable. */
export function namespaceActivity(snmp: string, sockstat: string, sockstat6: string | undefined): string | undefined {
  const tcp = tcpActivity(snmp);
  const inUse = /^TCP: inuse (\d+)/m.exec(sockstat)?.[1];
  if (tcp === undefined || inUse === undefined) return undefined;
  const inUse6 = sockstat6 === undefined ? '-' : /^TCP6: inuse (\d+)/m.exec(sockstat6)?.[1];
  if (inUse6 === undefined) return undefined;
  return `${tcp} ${inUse} ${inUse6}`;
}
