import { cpus } from 'node:os';
import { readAuthorizerLine } from '../../src/operator/core/kafka/authorizer-line.js';
import { aclMessage, base, layout, standardMessage, tlsPrincipal, type AuditFields } from '../../test/unit/operator/kafka/authorizer-fixtures.js';

/**
 * Our authorizer-line parser against a single-regex parser of the kind the reference mapper
 * uses (written here from its documented behaviour: one anchored regex for the AclAuthorizer's
 * line on a literal topic, `\S+` for the principal), in the same run, on lines of each format
 * and on a busy broker's mix (mostly Produce/Fetch on a few topics, some Metadata, group and
 * cluster lines, a few TLS principals with spaces, a few denied lines).
 */
const referenceStyle =
  /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d+\] [A-Z]+ Principal = \S+ is (\S+) Operation = (\S+) from host = (\S+) on resource = Topic:LITERAL:(.+) for request = \S+ with resourceRefCount = \d+ \(kafka\.authorizer\.logger\)$/;

function regexParse(line: string): { access: string; operation: string; host: string; topic: string } | undefined {
  const m = referenceStyle.exec(line);
  return m ? { access: m[1]!, operation: m[2]!, host: m[3]!, topic: m[4]! } : undefined;
}

function lines(message: (f: AuditFields) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const kind = i % 20;
    const f: AuditFields = {
      ...base,
      host: `10.244.${i % 7}.${(i * 13) % 250}`,
      resourceName: ['orders', 'shipping', 'payments.v2', 'audit-log'][i % 4]!,
      ...(kind < 9 ? { operation: 'WRITE', request: 'Produce' } : {}),
      ...(kind >= 9 && kind < 16 ? { operation: 'READ', request: 'Fetch' } : {}),
      ...(kind === 16 ? { operation: 'DESCRIBE', request: 'Metadata' } : {}),
      ...(kind === 17 ? { operation: 'READ', request: 'OffsetCommit', resourceType: 'GROUP', resourceName: `group-${i % 5}` } : {}),
      ...(kind === 18 ? { operation: 'WRITE', request: 'Produce', principal: tlsPrincipal } : {}),
      ...(kind === 19 ? { operation: 'WRITE', request: 'Produce', allowed: false } : {}),
    };
    out.push(layout(message(f), f.allowed));
  }
  return out;
}

const inputs = { standard: lines(standardMessage), acl: lines(aclMessage) };
const mixed = inputs.standard.map((line, i) => (i % 2 === 0 ? line : inputs.acl[i]!));

function rate(run: (line: string) => unknown, input: string[], seconds = 1.5): number {
  for (let i = 0; i < 50_000; i++) run(input[i % input.length]!);
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(seconds * 1e9);
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) run(input[(count + i) % input.length]!);
    count += 1000;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

function topicAccesses(run: (line: string) => boolean, input: string[]): number {
  return input.filter(run).length;
}

const ours = (line: string): boolean => readAuthorizerLine(line).ok;
const theirs = (line: string): boolean => {
  const r = regexParse(line);
  return r !== undefined && r.access === 'Allowed';
};

console.log(`# node dist/bench/kafka/authorizer-parser.bench.js  (node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores)`);
console.log('lines of 1000 giving an allowed topic access (the truth: 900 per format and in the mix; 50 are group lines, 50 denied; 50 have a TLS principal with spaces):');
for (const [name, input] of Object.entries({ ...inputs, mixed })) {
  console.log(`  ${name.padEnd(9)} ours ${String(topicAccesses(ours, input)).padStart(4)}   single regex ${String(topicAccesses(theirs, input)).padStart(4)}`);
}
const ratios: Record<string, number[]> = { standard: [], acl: [], mixed: [] };
let sink = 0;
for (let round = 1; round <= 3; round++) {
  for (const [name, input] of Object.entries({ ...inputs, mixed })) {
    const a = rate((l) => { if (readAuthorizerLine(l).ok) sink++; }, input);
    const b = rate((l) => { if (regexParse(l)) sink++; }, input);
    ratios[name]!.push(a / b);
    console.log(`round ${round} ${name.padEnd(9)} ours ${Math.round(a).toLocaleString('en-US').padStart(11)} lines/s   single regex ${Math.round(b).toLocaleString('en-US').padStart(11)} lines/s   ours/regex ${(a / b).toFixed(2)}x`);
  }
}
for (const [name, r] of Object.entries(ratios)) console.log(`median ours/regex on ${name}: ${r.sort((x, y) => x - y)[1]!.toFixed(2)}x`);
console.log(`(checksum ${sink})`);
