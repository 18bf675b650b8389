import { isIP } from 'node:net';
import { otterizeOperation, type KafkaOperation } from './kafka-operations.js';

/**
 * One audit message of Kafka's authorizer logger (`kafka.authorizer.logger`), in either format:
 *
 * - `standard`: KRaft's StandardAuthorizer (Kafka 3.3 on; the only one in Kafka 4):
 *   `Principal = P is Allowed operation = WRITE from host = H on resource = Topic:LITERAL:T for
 *   request = Produce with resourceRefCount = 1 based on rule DefaultAllow`
 *   (operation as the enum's name, and the rule that decided).
 * - `acl`: the ZooKeeper-era AclAuthorizer (removed in Kafka 4):
 *   `Principal = P is Allowed Operation = Write from host = H on resource = Topic:LITERAL:T for
 *   request = Produce with resourceRefCount = 1` (operation in PascalCase, no rule).
 *
 * Facts from Kafka's StandardAuthorizerData.buildAuditMessage and AclAuthorizer.logAuditMessage.
 */
export interface AuthorizerRecord {
  readonly format: 'standard' | 'acl';
  /** `KafkaPrincipal.toString()`: `type:name`; a TLS name holds commas and spaces. */
  readonly principal: string;
  readonly allowed: boolean;
  /** As the line writes it (`DESCRIBE_CONFIGS` or `DescribeConfigs`). */
  readonly operation: string;
  readonly host: string;
  /** PascalCase (`Topic`, `Group`, `Cluster`, `TransactionalId`, ...). */
  readonly resourceType: string;
  /** `LITERAL` or `PREFIXED` (an authorization is always asked for a literal name). */
  readonly patternType: string;
  readonly resourceName: string;
  /** The API key's name (`Produce`, `Fetch`, `Metadata`, ...). */
  readonly request: string;
  readonly resourceRefCount: number;
  /** StandardAuthorizer only: `DefaultAllow`, `SuperUser`, `MatchingAcl(acl=StandardAcl(...))`. */
  readonly rule?: string;
}

/** Why a line gave no topic access; counted per reason, never dropping the other lines. */
export const ignoredReasons = [
  'not-authorizer',
  'malformed',
  'unknown-operation',
  'denied',
  'not-topic',
  'not-literal',
  'not-in-otterize',
] as const;
export type IgnoredReason = (typeof ignoredReasons)[number];

/** What an allowed authorizer line says about one client's use of one topic. */
export interface TopicAccess {
  readonly host: string;
  readonly topic: string;
  readonly operation: KafkaOperation;
  readonly principal: string;
}

export type LineResult = { readonly ok: true; readonly access: TopicAccess } | { readonly ok: false; readonly reason: IgnoredReason };

const principalMark = 'Principal = ';
const resultMarks = [' is Allowed ', ' is Denied '] as const;
const hostMark = ' from host = ';
const resourceMark = ' on resource = ';
const requestMark = ' for request = ';
const refCountMark = ' with resourceRefCount = ';
const ruleMark = ' based on rule ';
/** What the default PatternLayout (`[%d] %p %m (%c)%n`) puts after the message. */
const loggerSuffix = ' (kafka.authorizer.logger)';
const wordPattern = /^[A-Za-z_]+$/;
const digitsPattern = /^\d{1,10}$/;

/**
 * The record in one log line: the message starts at `Principal = ` (anything before it, the
 * layout's date and level or the kubelet's timestamp, is skipped) and may end with the layout's
 * ` (kafka.authorizer.logger)`. A principal may contain spaces, so every ` is Allowed ` / ` is
 * Denied ` is tried as its end until the rest parses: a name that contains those words cannot
 * shift the fields.
 */
export function parseAuthorizerLine(line: string): AuthorizerRecord | IgnoredReason {
  const start = line.indexOf(principalMark);
  if (start < 0) return 'not-authorizer';
  let message = line.slice(start + principalMark.length);
  if (message.endsWith('\r')) message = message.slice(0, -1);
  if (message.endsWith(loggerSuffix)) message = message.slice(0, -loggerSuffix.length);
  for (let from = 0; ; ) {
    const candidate = nextResultMark(message, from);
    if (!candidate) return 'malformed';
    const record = parseAfterPrincipal(message.slice(0, candidate.at), candidate.allowed, message.slice(candidate.at + candidate.length));
    if (record) return record;
    from = candidate.at + 1;
  }
}

/** The topic access an allowed line grants, or why there is none. */
export function readAuthorizerLine(line: string): LineResult {
  const record = parseAuthorizerLine(line);
  return typeof record === 'string' ? { ok: false, reason: record } : topicAccessOf(record);
}

export function topicAccessOf(record: AuthorizerRecord): LineResult {
  const operation = otterizeOperation(record.operation);
  if (!operation.known) return { ok: false, reason: 'unknown-operation' };
  // The reference mapper matched the word and never looked at it: denied attempts became intents.
  if (!record.allowed) return { ok: false, reason: 'denied' };
  if (record.resourceType !== 'Topic') return { ok: false, reason: 'not-topic' };
  if (record.patternType !== 'LITERAL') return { ok: false, reason: 'not-literal' };
  if (operation.operation === null) return { ok: false, reason: 'not-in-otterize' };
  return { ok: true, access: { host: record.host, topic: record.resourceName, operation: operation.operation, principal: record.principal } };
}

function nextResultMark(message: string, from: number): { at: number; length: number; allowed: boolean } | undefined {
  let best: { at: number; length: number; allowed: boolean } | undefined;
  for (const mark of resultMarks) {
    const at = message.indexOf(mark, from);
    if (at >= 0 && (!best || at < best.at)) best = { at, length: mark.length, allowed: mark === resultMarks[0] };
  }
  return best;
}

/** `operation = OP from host = H on resource = T:P:N for request = R with resourceRefCount = C[ based on rule X]` */
function parseAfterPrincipal(principal: string, allowed: boolean, rest: string): AuthorizerRecord | undefined {
  if (principal === '') return undefined;
  let format: AuthorizerRecord['format'];
  if (rest.startsWith('operation = ')) format = 'standard';
  else if (rest.startsWith('Operation = ')) format = 'acl';
  else return undefined;
  const opStart = 'operation = '.length;
  const opEnd = rest.indexOf(hostMark, opStart);
  if (opEnd < 0) return undefined;
  const operation = rest.slice(opStart, opEnd);
  if (!wordPattern.test(operation)) return undefined;
  const hostStart = opEnd + hostMark.length;
  const hostEnd = rest.indexOf(resourceMark, hostStart);
  if (hostEnd < 0) return undefined;
  const host = rest.slice(hostStart, hostEnd);
  if (isIP(host) === 0) return undefined;
  const resourceStart = hostEnd + resourceMark.length;
  const typeEnd = rest.indexOf(':', resourceStart);
  if (typeEnd < 0) return undefined;
  const resourceType = rest.slice(resourceStart, typeEnd);
  const patternEnd = rest.indexOf(':', typeEnd + 1);
  if (patternEnd < 0) return undefined;
  const patternType = rest.slice(typeEnd + 1, patternEnd);
  if (!wordPattern.test(resourceType) || !wordPattern.test(patternType)) return undefined;
  // A topic name has no spaces; other resource names (groups) may hold anything, so the first
  // ` for request = ` followed by a well-formed tail ends the name.
  for (let search = patternEnd + 1; ; ) {
    const requestAt = rest.indexOf(requestMark, search);
    if (requestAt < 0) return undefined;
    const tail = parseTail(rest.slice(requestAt + requestMark.length), format);
    if (tail) {
      const record: AuthorizerRecord = {
        format,
        principal,
        allowed,
        operation,
        host,
        resourceType,
        patternType,
        resourceName: rest.slice(patternEnd + 1, requestAt),
        request: tail.request,
        resourceRefCount: tail.refCount,
      };
      return tail.rule === undefined ? record : { ...record, rule: tail.rule };
    }
    search = requestAt + 1;
  }
}

/** `R with resourceRefCount = C` and, for the StandardAuthorizer, ` based on rule X`. */
function parseTail(tail: string, format: AuthorizerRecord['format']): { request: string; refCount: number; rule?: string } | undefined {
  const countMarkAt = tail.indexOf(refCountMark);
  if (countMarkAt < 0) return undefined;
  const request = tail.slice(0, countMarkAt);
  // ApiKeys names are words; an AclAuthorizer line for an unknown key writes its number.
  if (!/^[A-Za-z0-9]+$/.test(request)) return undefined;
  const countStart = countMarkAt + refCountMark.length;
  const ruleAt = tail.indexOf(ruleMark, countStart);
  const count = tail.slice(countStart, ruleAt < 0 ? undefined : ruleAt);
  if (!digitsPattern.test(count)) return undefined;
  if (ruleAt < 0) return format === 'acl' ? { request, refCount: Number(count) } : undefined;
  if (format !== 'standard') return undefined;
  const rule = tail.slice(ruleAt + ruleMark.length);
  return rule === '' ? undefined : { request, refCount: Number(count), rule };
}
