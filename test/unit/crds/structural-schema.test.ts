import { expect } from 'chai';
import { z } from 'zod';
import { toStructuralSchema } from '../../../src/crds/structural-schema.js';

describe('toStructuralSchema', () => {
  it('drops what a CRD schema cannot hold and keeps the bounds', () => {
    const schema = toStructuralSchema(
      z.strictObject({ at: z.iso.datetime(), n: z.int(), items: z.array(z.string().max(3)).max(4) }),
    );
    expect(schema).to.deep.equal({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        n: { type: 'integer' },
        items: { type: 'array', maxItems: 4, items: { type: 'string', maxLength: 3 } },
      },
      required: ['at', 'n', 'items'],
    });
  });

  it('keeps CEL rules given as metadata', () => {
    const rule = { rule: 'self.size() == 1', message: 'one' };
    const schema = toStructuralSchema(z.strictObject({ a: z.string().optional() }).meta({ 'x-kubernetes-validations': [rule] }));
    expect(schema['x-kubernetes-validations']).to.deep.equal([rule]);
  });

  it('refuses unions, which structural schemas cannot express', () => {
    expect(() => toStructuralSchema(z.strictObject({ u: z.union([z.string(), z.int()]) }))).to.throw(/\.u: unions/);
  });
});
