export type DnsRecord = { readonly type: 'A' | 'AAAA' | 'CNAME'; readonly data: string };
/** Names (lower case, no trailing dot) to their records. */
export type Zone = Readonly<Record<string, readonly DnsRecord[]>>;

export interface ZoneAnswer {
  readonly rcode: 'NOERROR' | 'NXDOMAIN';
  readonly answers: readonly { name: string; type: DnsRecord['type']; data: string }[];
}

/**
 * Answers one question from the local internet's names, following CNAMEs inside the zone (at
 * most 8 hops) as a recursive resolver hands a whole chain back to the cluster's DNS.
 */
export function lookup(zone: Zone, questionName: string, type: string): ZoneAnswer {
  let name = questionName.toLowerCase().replace(/\.$/, '');
  if (!Object.hasOwn(zone, name)) return { rcode: 'NXDOMAIN', answers: [] };
  const answers: { name: string; type: DnsRecord['type']; data: string }[] = [];
  for (let hop = 0; hop < 8; hop++) {
    const records = Object.hasOwn(zone, name) ? zone[name] : undefined;
    if (!records) break;
    const cname = records.find((r) => r.type === 'CNAME');
    if (cname && type !== 'CNAME') {
      answers.push({ name, type: 'CNAME', data: cname.data });
      name = cname.data.toLowerCase();
      continue;
    }
    for (const record of records) if (record.type === type) answers.push({ name, ...record });
    break;
  }
  return { rcode: 'NOERROR', answers };
}
