import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The package names `src` imports (what the image ships, `npm prune --omit=dev` in the Containerfile). */
function importedPackages(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(repoRoot, 'src'))) {
    // The compiler's own scan finds static and dynamic imports, never text inside strings.
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (spec.startsWith('node:') || spec.startsWith('.')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return names;
}

describe('runtime dependencies (package.json)', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const imported = importedPackages();

  it('lists only packages that src imports, so the image ships nothing only tests use', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !imported.has(name))).to.deep.equal([]);
  });

  it('lists every package that src imports', () => {
    expect([...imported].filter((name) => !(name in pkg.dependencies)).sort()).to.deep.equal([]);
  });
});
