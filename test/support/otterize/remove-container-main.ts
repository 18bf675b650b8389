import { readFileSync } from 'node:fs';
import { removeContainer } from './remove-container.js';

const name = process.argv[2];
if (!name) {
  console.error('usage: remove-container-main.js CONTAINER_NAME < manifests');
  process.exit(2);
}
process.stdout.write(removeContainer(readFileSync(0, 'utf8'), name));
