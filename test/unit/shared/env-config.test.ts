import { expect } from 'chai';
import { z } from 'zod';
import { ConfigError, parseEnvConfig } from '../../../src/shared/env-config.js';

describe('parseEnvConfig', () => {
  const schema = z.object({
    WINDOW_SECONDS: z.coerce.number().int().min(1).default(10),
    NODE_NAME: z.string().min(1),
  });

  it('applies defaults and coerces numbers', () => {
    expect(parseEnvConfig(schema, { NODE_NAME: 'n1' })).to.deep.equal({ WINDOW_SECONDS: 10, NODE_NAME: 'n1' });
    expect(parseEnvConfig(schema, { NODE_NAME: 'n1', WINDOW_SECONDS: '3' }).WINDOW_SECONDS).to.equal(3);
  });

  it('names every bad variable in one error', () => {
    expect(() => parseEnvConfig(schema, { WINDOW_SECONDS: '0' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/WINDOW_SECONDS: .*>=1/)
      .and.matches(/NODE_NAME: /);
  });
});
