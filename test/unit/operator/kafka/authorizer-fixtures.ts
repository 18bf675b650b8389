/**
 * Authorizer lines built the way Kafka builds them (facts from its source, not copied code):
 * StandardAuthorizerData.buildAuditMessage (KRaft, Kafka 3.3 to 4.x) and
 * AclAuthorizer.logAuditMessage (ZooKeeper era, removed in Kafka 4), laid out by the default
 * PatternLayout `[%d] %p %m (%c)%n`.
 */

/** AclOperation's constants that an authorization can ask for (not the filters ANY and UNKNOWN). */
export const kafkaOperationNames = [
  'ALL', 'READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE', 'CREATE_TOKENS', 'DESCRIBE_TOKENS',
] as const;

export const resourceTypeNames = ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER'] as const;

export interface AuditFields {
  principal: string;
  allowed: boolean;
  /** An AclOperation constant (`DESCRIBE_CONFIGS`). */
  operation: string;
  host: string;
  /** A ResourceType constant (`TRANSACTIONAL_ID`). */
  resourceType: string;
  patternType: 'LITERAL' | 'PREFIXED';
  resourceName: string;
  /** The API key's name (`ApiKeys.forId(..).name`). */
  request: string;
  refCount: number;
  /** StandardAuthorizer only: the MatchingRule's toString. */
  rule?: string;
}

/** SecurityUtils.toPascalCase: `DESCRIBE_CONFIGS` -> `DescribeConfigs`. */
export function pascalCase(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('');
}

/** StandardAuthorizerData: `operation` is the enum's toString, the resource type PascalCase. */
export function standardMessage(f: AuditFields): string {
  return (
    `Principal = ${f.principal} is ${f.allowed ? 'Allowed' : 'Denied'} operation = ${f.operation}` +
    ` from host = ${f.host} on resource = ${pascalCase(f.resourceType)}:${f.patternType}:${f.resourceName}` +
    ` for request = ${f.request} with resourceRefCount = ${f.refCount} based on rule ${f.rule ?? (f.allowed ? 'DefaultAllow' : 'DefaultDeny')}`
  );
}

/** AclAuthorizer: `Operation` capitalised, the operation PascalCase, no rule. */
export function aclMessage(f: AuditFields): string {
  return (
    `Principal = ${f.principal} is ${f.allowed ? 'Allowed' : 'Denied'} Operation = ${pascalCase(f.operation)}` +
    ` from host = ${f.host} on resource = ${pascalCase(f.resourceType)}:${f.patternType}:${f.resourceName}` +
    ` for request = ${f.request} with resourceRefCount = ${f.refCount}`
  );
}

/** The default layout: allowed lines are DEBUG, denied ones INFO (as both authorizers log them). */
export function layout(message: string, allowed: boolean, date = '2026-12-07 04:00:00,123'): string {
  return `[${date}] ${allowed ? 'DEBUG' : 'INFO'} ${message} (kafka.authorizer.logger)`;
}

/** StandardAcl.toString inside MatchingAclRule.toString. */
export function matchingAclRule(acl: { resourceType: string; resourceName: string; patternType: string; principal: string; host: string; operation: string; permissionType: string }): string {
  return (
    `MatchingAcl(acl=StandardAcl(resourceType=${acl.resourceType}, resourceName=${acl.resourceName}, patternType=${acl.patternType},` +
    ` principal=${acl.principal}, host=${acl.host}, operation=${acl.operation}, permissionType=${acl.permissionType}))`
  );
}

export const base: AuditFields = {
  principal: 'User:ANONYMOUS',
  allowed: true,
  operation: 'WRITE',
  host: '10.244.1.7',
  resourceType: 'TOPIC',
  patternType: 'LITERAL',
  resourceName: 'orders',
  request: 'Produce',
  refCount: 1,
};

/** A TLS principal: the certificate's distinguished name, commas and spaces included. */
export const tlsPrincipal = 'User:CN=order service,OU=Shop Team,O=Example Inc,C=US';
