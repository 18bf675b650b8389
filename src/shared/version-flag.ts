import { packageVersion } from './package-version.js';

/**
 * `<component> --version` prints `<program> <version>` and exits 0, before any configuration is
 * read: it answers without a cluster (e.g. to check an image).
 */
export function answerVersionFlag(program: string, argv: readonly string[]): void {
  if (argv[0] !== '--version') return;
  // Writes to files and pipes are synchronous on Linux: exiting right away loses nothing.
  process.stdout.write(`${program} ${packageVersion()}\n`);
  process.exit(0);
}
