/**
 * Whether a network namespace's TCP connections may have changed since the last scan, from
 * counters the kernel keeps per namespace and hands over without walking any table: the `Tcp:`
 * lines of net/snmp (connections opened actively and passively, failed attempts, resets and the
 * established count; IPv4 and IPv6 together) and the in-use counts of net/sockstat{,6} (which
 * also move when a listener opens or closes). Traffic counters (segments) are left out: they move
 * on every packet of an idle long-lived connection.
 *
 * A namespace whose activity is unchanged very probably has the same connections as at its last
 * read. Not surely: one connection closing while another, already counted as opened in SYN_SENT
 * at the last scan, becomes established leaves every counter as it was. So a reuse is bounded in
 * time (see ScanReuse).
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
