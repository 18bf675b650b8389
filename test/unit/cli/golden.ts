import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

/** Tests run from dist/: the goldens stay in the source tree, where reviewers read them. */
export const goldenDir = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'unit', 'cli', 'golden');

const updating = process.env.UPDATE_GOLDEN === '1';

/** Compares with golden/<name>; UPDATE_GOLDEN=1 rewrites it instead (then review the diff). */
export function expectGolden(name: string, actual: string): void {
  const path = join(goldenDir, name);
  if (updating) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual, `golden ${name} (UPDATE_GOLDEN=1 rewrites it)`).to.equal(readFileSync(path, 'utf8'));
}

/** A whole directory of goldens: the same file names, each with the same content. */
export function expectGoldenDir(name: string, files: ReadonlyMap<string, string>): void {
  const dir = join(goldenDir, name);
  if (updating) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of files) writeFileSync(join(dir, file), content);
  }
  expect([...files.keys()].sort(), `files of golden ${name}/`).to.deep.equal(readdirSync(dir).sort());
  for (const [file, content] of files) expectGolden(join(name, file), content);
}
