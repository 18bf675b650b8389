import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version in package.json, which sits three levels above dist/src/shared/. */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
