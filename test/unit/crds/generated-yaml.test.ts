import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderCrdFiles } from '../../../src/crds/generate.js';

const crdDir = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'crd');

describe('config/crd', () => {
  for (const [file, expected] of renderCrdFiles()) {
    it(`${file} is what the zod schemas generate (run \`npm run generate\` after changing src/crds)`, () => {
      const committed = readFileSync(join(crdDir, file), 'utf8');
      expect(committed).to.equal(expected);
    });
  }
});
