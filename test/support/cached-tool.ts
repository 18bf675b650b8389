import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

/**
 * A binary scripts/setup.sh builds into the cache and links as .cache/<name> (or names in
 * `envVariable`); built by `setup.sh <name>` when missing.
 */
export function cachedTool(name: string, envVariable: string, what: string): string {
  const find = () => [process.env[envVariable], join(repoRoot, '.cache', name)].find((c) => c !== undefined && existsSync(c));
  const found = find();
  if (found) return found;
  const build = spawnSync('bash', [join(repoRoot, 'scripts', 'setup.sh'), name], { stdio: 'inherit' });
  const built = find();
  if (build.status !== 0 || !built) throw new Error(`could not build ${what} (scripts/setup.sh ${name})`);
  return built;
}
