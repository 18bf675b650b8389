import winston from 'winston';

export type Logger = winston.Logger;

/**
 * One JSON line per event, to stderr (or `destination`, e.g. a test cluster's log file). Callers pass the object's `namespace` and `name` as fields, never a
 * whole error object (see errorFields).
 */
export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info', destination?: NodeJS.WritableStream): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [
      destination
        ? new winston.transports.Stream({ stream: destination })
        : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
    ],
  });
}

// errorFields lives apart, so that the CLI can reduce API errors without loading winston.
export { errorFields } from './error-fields.js';
