import type { z } from 'zod';

/** What one custom resource is: its names, schemas and columns. Plain data. */
export interface ResourceDefinition {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind?: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly scope: 'Namespaced' | 'Cluster';
  readonly spec: z.ZodType;
  readonly status: z.ZodType;
  /** Whether an object without spec is invalid. */
  readonly specRequired: boolean;
  readonly printerColumns: readonly PrinterColumn[];
  /** Path of the generated YAML below config/crd. */
  readonly fileName: string;
}

export interface PrinterColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly jsonPath: string;
  readonly description?: string;
}

export function apiVersionOf(def: ResourceDefinition): string {
  return `${def.group}/${def.version}`;
}
