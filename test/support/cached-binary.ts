import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

/**
 * A Go tool that scripts/setup.sh builds once and caches by source hash: `$<envVariable>`, else
 * `.cache/<name>`; when neither exists, `scripts/setup.sh <name>` builds it now.
 */
export function cachedBinary(name: string, envVariable: string, what: string): string {
  const find = (): string | undefined => [process.env[envVariable], join(repoRoot, '.cache', name)].find((c) => c !== undefined && existsSync(c));
  const found = find();
  if (found) return found;
  const build = spawnSync('bash', [join(repoRoot, 'scripts', 'setup.sh'), name], { stdio: 'inherit' });
  const built = find();
  if (build.status !== 0 || !built) throw new Error(`could not build ${what} (scripts/setup.sh ${name})`);
  return built;
}
