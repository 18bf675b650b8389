import { z } from 'zod';

/** An OpenAPI v3 schema in the "structural" subset that CustomResourceDefinitions accept. */
export type StructuralSchema = { [key: string]: unknown };

/**
 * Turns a zod schema into the schema of a CRD version. Zod's JSON Schema output is close; what
 * the API server does not take is removed or refused here:
 * - `additionalProperties: false` (pruning drops unknown fields; strict field validation refuses them),
 * - zod's own `pattern` beside a `format` (it is not RE2, and the format already says it),
 * - the ±2^53 bounds zod adds to every integer,
 * - `anyOf` of objects, which a structural schema cannot express (use a CEL rule instead).
 */
export function toStructuralSchema(schema: z.ZodType): StructuralSchema {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' });
  const { $schema: _ignored, ...rest } = json as StructuralSchema;
  return clean(rest, '');
}

function clean(node: StructuralSchema, path: string): StructuralSchema {
  if ('anyOf' in node || 'oneOf' in node || 'allOf' in node) {
    throw new Error(`${path || '<root>'}: unions cannot be written as a structural schema; use a CEL rule`);
  }
  const out: StructuralSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'pattern' && 'format' in node) continue;
    if ((key === 'minimum' || key === 'maximum') && Math.abs(value as number) >= Number.MAX_SAFE_INTEGER) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, StructuralSchema>).map(([name, child]) => [name, clean(child, `${path}.${name}`)]),
      );
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = clean(value as StructuralSchema, `${path}[]`);
    } else {
      out[key] = value;
    }
  }
  return out;
}
