import { ConfigError } from '../../shared/env-config.js';
import { answerVersionFlag } from '../../shared/version-flag.js';
import { runOperator } from './run-operator.js';

/** The operator as a process, imported by main.ts once the Node.js version is checked. */
answerVersionFlag('netmap-operator', process.argv.slice(2));

runOperator(process.env).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
