#!/usr/bin/env node
import { packageVersion } from './shell/package-version.js';
import { runCli } from './shell/run-cli.js';

const code = await runCli(
  process.argv.slice(2),
  { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) },
  packageVersion(),
);
// Flush before exiting: a piped stdout is written asynchronously.
process.stdout.write('', () => process.exit(code));
