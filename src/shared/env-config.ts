import type { z } from 'zod';

/**
 * Reads a component's configuration from environment variables. Every problem is reported at
 * once, by variable name, so a bad DaemonSet spec fails with one clear message.
 */
export function parseEnvConfig<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
