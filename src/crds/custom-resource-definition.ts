import { managedByLabel, managedByValue } from '../shared/ownership.js';
import type { ResourceDefinition } from './resource-definition.js';
import { toStructuralSchema } from './structural-schema.js';

export const generatedByLabel = { [managedByLabel]: managedByValue } as const;

/** The apiextensions.k8s.io/v1 CustomResourceDefinition for one resource, as plain data. */
export function customResourceDefinition(def: ResourceDefinition): Record<string, unknown> {
  const required = def.specRequired ? ['spec'] : [];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${def.group}`, labels: { ...generatedByLabel } },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        ...(def.listKind ? { listKind: def.listKind } : {}),
        plural: def.plural,
        singular: def.singular,
        ...(def.shortNames ? { shortNames: [...def.shortNames] } : {}),
        ...(def.categories ? { categories: [...def.categories] } : {}),
      },
      scope: def.scope,
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          ...(def.printerColumns.length > 0 ? { additionalPrinterColumns: def.printerColumns.map((c) => ({ ...c })) } : {}),
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: toStructuralSchema(def.spec),
                status: toStructuralSchema(def.status),
              },
              ...(required.length > 0 ? { required } : {}),
            },
          },
        },
      ],
    },
  };
}
