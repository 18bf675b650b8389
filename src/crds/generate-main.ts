import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderCrdFiles } from './generate.js';

const root = join(import.meta.dirname, '..', '..', '..');
for (const [file, text] of renderCrdFiles()) {
  const path = join(root, 'config', 'crd', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote config/crd/${file}`);
}
