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
const isMark = ' is ';
const hostMark = ' from host = ';
const resourceMark = ' on resource = ';
const requestMark = ' for request = ';
const refCountMark = ' with resourceRefCount = ';
const ruleMark = ' based on rule ';
/** What the default PatternLayout (`[%d] %p %m (%c)%n`) puts after the message. */
const loggerSuffix = ' (kafka.authorizer.logger)';
const wordPattern = /^[A-Za-z_]+$/;
const requestPattern = /^[A-Za-z0-9]+$/;
const digitsPattern = /^\d{1,10}$/;

/**
 * The record in one log line: the message starts at `Principal = ` (anything before it, the
 * layout's date and level or the kubelet's timestamp, is skipped) and may end with the layout's
 * ` (kafka.authorizer.logger)`. A principal may contain spaces, so every ` is Allowed ` / ` is
 * Denied ` is tried as its end until the rest parses: a name that contains those words cannot
 * shift the fields. Written with indexOf on the line rather than one regex, because no single
 * regex reads both formats, a principal with spaces and a group name with spaces at once.
 */
export function parseAuthorizerLine(line: string): AuthorizerRecord | IgnoredReason {
  const markAt = line.indexOf(principalMark);
  if (markAt < 0) return 'not-authorizer';
  const start = markAt + principalMark.length;
  let end = line.length;
  if (line.charCodeAt(end - 1) === 13) end--;
  if (line.endsWith(loggerSuffix, end)) end -= loggerSuffix.length;
  for (let from = start; ; ) {
    const at = line.indexOf(isMark, from);
    if (at < 0 || at >= end) return 'malformed';
    from = at + 1;
    const resultAt = at + isMark.length;
    let allowed: boolean;
    let afterResult: number;
    if (line.startsWith('Allowed ', resultAt)) {
      allowed = true;
      afterResult = resultAt + 'Allowed '.length;
    } else if (line.startsWith('Denied ', resultAt)) {
      allowed = false;
      afterResult = resultAt + 'Denied '.length;
    } else continue;
    if (at === start) continue;
    const record = parseAfterPrincipal(line, start, at, allowed, afterResult, end);
    if (record) return record;
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

/** `operation = OP from host = H on resource = T:P:N for request = R with resourceRefCount = C[ based on rule X]`, from `at` to `end` of the line. */
function parseAfterPrincipal(line: string, principalStart: number, principalEnd: number, allowed: boolean, at: number, end: number): AuthorizerRecord | undefined {
  let format: AuthorizerRecord['format'];
  if (line.startsWith('operation = ', at)) format = 'standard';
  else if (line.startsWith('Operation = ', at)) format = 'acl';
  else return undefined;
  // Operation and host are single words: the next space ends them, and must start the next mark.
  const opStart = at + 'operation = '.length;
  const opEnd = line.indexOf(' ', opStart);
  if (opEnd < 0 || !line.startsWith(hostMark, opEnd)) return undefined;
  const operation = line.slice(opStart, opEnd);
  if (!wordPattern.test(operation)) return undefined;
  const hostStart = opEnd + hostMark.length;
  const hostEnd = line.indexOf(' ', hostStart);
  if (hostEnd < 0 || !line.startsWith(resourceMark, hostEnd)) return undefined;
  const host = line.slice(hostStart, hostEnd);
  if (isIP(host) === 0) return undefined;
  const resourceStart = hostEnd + resourceMark.length;
  const typeEnd = line.indexOf(':', resourceStart);
  if (typeEnd < 0 || typeEnd >= end) return undefined;
  const patternEnd = line.indexOf(':', typeEnd + 1);
  if (patternEnd < 0 || patternEnd >= end) return undefined;
  const resourceType = line.slice(resourceStart, typeEnd);
  const patternType = line.slice(typeEnd + 1, patternEnd);
  if (!wordPattern.test(resourceType) || !wordPattern.test(patternType)) return undefined;
  // A topic name has no spaces; other resource names (groups) may hold anything, so the first
  // ` for request = ` followed by a well-formed tail ends the name.
  for (let search = patternEnd + 1; ; ) {
    const requestAt = line.indexOf(requestMark, search);
    if (requestAt < 0 || requestAt >= end) return undefined;
    search = requestAt + 1;
    const tail = parseTail(line, requestAt + requestMark.length, end, format);
    if (!tail) continue;
    return {
      format,
      principal: line.slice(principalStart, principalEnd),
      allowed,
      operation,
      host,
      resourceType,
      patternType,
      resourceName: line.slice(patternEnd + 1, requestAt),
      request: tail.request,
      resourceRefCount: tail.refCount,
      ...(tail.rule === undefined ? {} : { rule: tail.rule }),
    };
  }
}

/** `R with resourceRefCount = C` and, for the StandardAuthorizer, ` based on rule X`. */
function parseTail(line: string, at: number, end: number, format: AuthorizerRecord['format']): { request: string; refCount: number; rule?: string } | undefined {
  // ApiKeys names are words; an AclAuthorizer line for an unknown key writes its number.
  const requestEnd = line.indexOf(' ', at);
  if (requestEnd < 0 || !line.startsWith(refCountMark, requestEnd)) return undefined;
  const request = line.slice(at, requestEnd);
  if (!requestPattern.test(request)) return undefined;
  const countStart = requestEnd + refCountMark.length;
  const countEnd = line.indexOf(' ', countStart);
  if (countEnd < 0 || countEnd >= end) {
    if (format !== 'acl') return undefined;
    const count = line.slice(countStart, end);
    return digitsPattern.test(count) ? { request, refCount: Number(count) } : undefined;
  }
  if (format !== 'standard' || !line.startsWith(ruleMark, countEnd)) return undefined;
  const count = line.slice(countStart, countEnd);
  const ruleStart = countEnd + ruleMark.length;
  if (!digitsPattern.test(count) || ruleStart >= end) return undefined;
  return { request, refCount: Number(count), rule: line.slice(ruleStart, end) };
}
