/** Exit codes scripts can rely on (documented in docs/cli.md): never renumber them. */
export const exitCodes = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  unreachable: 3,
  crdMissing: 4,
  forbidden: 5,
  /** `diff` and `status` only: 1 there means "differences" / "problems", as with diff(1) and kubectl diff. */
  diffUnexpected: 6,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A failure the CLI reports with one message and a documented exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
