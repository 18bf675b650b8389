import { packageVersion } from '../../shared/package-version.js';
import { runCli } from './run-cli.js';
import { askOnTerminal } from './terminal.js';

/** The CLI as a process: argv in, exit code out (imported by main.ts once the Node.js version is checked). */

// `kubectl netmap list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await runCli(
  process.argv.slice(2),
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    ...(process.stdin.isTTY ? { ask: askOnTerminal } : {}),
  },
  packageVersion(),
);
// Flush before exiting: a piped stdout is written asynchronously.
process.stdout.write('', () => process.exit(code));
