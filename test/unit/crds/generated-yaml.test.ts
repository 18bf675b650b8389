import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderChartFiles } from '../../../generators/chart/chart-files.js';
import { renderCrdFiles } from '../../../generators/crd-files.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const crdDir = join(root, 'config', 'crd');
const chartDir = join(root, 'charts', 'network-mapper');

describe('config/crd', () => {
  for (const [file, expected] of renderCrdFiles()) {
    it(`${file} is what the zod schemas generate (run \`npm run generate\` after changing src/crds)`, () => {
      const committed = readFileSync(join(crdDir, file), 'utf8');
      expect(committed).to.equal(expected);
    });
  }
});

describe('charts/network-mapper generated files', () => {
  const rbacText = (file: string) => readFileSync(join(root, 'config', 'rbac', file), 'utf8');
  for (const [file, expected] of renderChartFiles(rbacText)) {
    it(`${file} is what src/crds, generators and config/rbac generate (run \`npm run generate\`)`, () => {
      const committed = readFileSync(join(chartDir, file), 'utf8');
      expect(committed).to.equal(expected);
    });
  }
});
