import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderChartFiles } from './chart/chart-files.js';
import { renderCrdFiles } from './crd-files.js';

const root = join(import.meta.dirname, '..', '..');

function write(relative: string, text: string): void {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${relative}`);
}

for (const [file, text] of renderCrdFiles()) write(join('config', 'crd', file), text);
const rbacText = (file: string) => readFileSync(join(root, 'config', 'rbac', file), 'utf8');
for (const [file, text] of renderChartFiles(rbacText)) write(join('charts', 'network-mapper', file), text);
