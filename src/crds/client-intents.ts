import { isIP } from 'node:net';
import { z } from 'zod';
import { intentsBounds as bounds, maxDnsNameLength, maxIpLength } from './bounds.js';
import { ipAddress, isPlainIp, port } from './fields.js';
import type { ResourceDefinition } from './resource-definition.js';
import { clientIntentsResource } from './resource-names.js';

/**
 * The part of Otterize's ClientIntents v2beta1 that network-mapper writes (and that the CRD we
 * ship for clusters without the Intents Operator defines). Facts from
 * shared/reference/clientintents.md; the Intents Operator's webhook rules are mirrored here so
 * that we never write an object it would reject.
 */
const workloadName = z
  .string()
  .min(1)
  .max(maxDnsNameLength)
  .regex(/^[^.]+$/, "must not contain '.' (write dots as underscores)");

const workloadKind = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Z][A-Za-z0-9]*$/, 'must start with an upper-case letter');

/** `name` or `name.namespace`: at most one dot. */
const targetName = z
  .string()
  .min(1)
  .max(2 * maxDnsNameLength + 1)
  .regex(/^[^.]+(\.[^.]+)?$/, "must be 'name' or 'name.namespace'");

export const httpMethods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'CONNECT'] as const;

const httpResource = z.strictObject({
  path: z.string().min(1).max(1024),
  methods: z.array(z.enum(httpMethods)).max(bounds.methodsPerHttp),
});

const internetDomain = z
  .string()
  .min(1)
  .max(maxDnsNameLength)
  .regex(/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/, 'must be a domain name, optionally starting with *.');

const ipOrCidr = z
  .string()
  .max(maxIpLength + 4)
  .refine(isIpOrCidr, { message: 'must be an IP address or a CIDR' })
  .meta({
    'x-kubernetes-validations': [{ rule: 'isIP(self) || isCIDR(self)', message: 'must be an IP address or a CIDR' }],
  });

export const kubernetesTarget = z.strictObject({
  name: targetName,
  kind: workloadKind.optional(),
  http: z.array(httpResource).max(bounds.httpPerTarget).optional(),
});

export const serviceTarget = z.strictObject({
  name: targetName,
  http: z.array(httpResource).max(bounds.httpPerTarget).optional(),
});

export const internetTarget = z
  .strictObject({
    domains: z.array(internetDomain).max(bounds.domainsPerTarget).optional(),
    ips: z.array(ipOrCidr).max(bounds.ipsPerTarget).optional(),
    ports: z.array(port).max(bounds.portsPerTarget).optional(),
  })
  .refine((t) => (t.domains?.length ?? 0) + (t.ips?.length ?? 0) > 0, {
    message: 'needs domains or ips',
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: '(has(self.domains) && size(self.domains) > 0) || (has(self.ips) && size(self.ips) > 0)', message: 'needs domains or ips' },
    ],
  });

export const kafkaOperations = [
  'all', 'consume', 'produce', 'create', 'alter', 'delete', 'describe',
  'ClusterAction', 'DescribeConfigs', 'AlterConfigs', 'IdempotentWrite',
] as const;

export const kafkaTarget = z.strictObject({
  name: targetName,
  topics: z
    .array(z.strictObject({ name: z.string().min(1).max(249), operations: z.array(z.enum(kafkaOperations)).max(kafkaOperations.length) }))
    .max(bounds.topicsPerTarget)
    .optional(),
});

const targetKinds = {
  kubernetes: kubernetesTarget.optional(),
  service: serviceTarget.optional(),
  internet: internetTarget.optional(),
  kafka: kafkaTarget.optional(),
};
const oneTargetKind = `a target has exactly one of ${Object.keys(targetKinds).join(', ')}`;

export const intentsTarget = z
  .strictObject(targetKinds)
  .refine((t) => Object.values(t).filter((v) => v !== undefined).length === 1, { message: oneTargetKind })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: `[${Object.keys(targetKinds).map((k) => `has(self.${k})`).join(', ')}].filter(x, x).size() == 1`,
        message: oneTargetKind,
      },
    ],
  });

export const clientIntentsSpec = z.strictObject({
  workload: z.strictObject({ name: workloadName, kind: workloadKind.optional() }),
  targets: z.array(intentsTarget).max(bounds.targetsPerWorkload),
});

export const clientIntentsStatus = z.strictObject({
  upToDate: z.boolean().optional(),
  observedGeneration: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  resolvedIPs: z
    .array(z.strictObject({ dns: internetDomain, ips: z.array(ipAddress).max(bounds.ipsPerTarget) }))
    .max(bounds.resolvedIPsEntries)
    .optional(),
});

export type IntentsTarget = z.infer<typeof intentsTarget>;
export type ClientIntentsSpec = z.infer<typeof clientIntentsSpec>;
export type ClientIntentsStatus = z.infer<typeof clientIntentsStatus>;

export const clientIntentsDefinition: ResourceDefinition = {
  ...clientIntentsResource,
  kind: 'ClientIntents',
  listKind: 'ClientIntentsList',
  singular: 'clientintents',
  scope: 'Namespaced',
  spec: clientIntentsSpec,
  status: clientIntentsStatus,
  specRequired: false,
  printerColumns: [],
  fileName: 'optional/k8s.otterize.com_clientintents.yaml',
};

function isIpOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (address === undefined || rest.length > 0) return false;
  if (!isPlainIp(address)) return false;
  const family = isIP(address);
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
