import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  readonly service: string;
  readonly version: string;
  readonly level: string;
  readonly pretty: boolean;
}

/** Keys whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'apiKey',
  'secret',
  'webhookSecret',
  '*.secretAccessKey',
  'AWS_SECRET_ACCESS_KEY',
];

/**
 * The project's pino logger: `{service, version}` on every line, secrets redacted, JSON to stdout
 * (pretty only when asked for, in development).
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, version: settings.version },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } },
    });
  }
  return pino(options);
}

/** A logger that writes nothing: for tests and for the DSP-heavy CLI output paths. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Every line inside a job carries the job and track ids. */
export function jobLogger(
  parent: Logger,
  ids: { jobId: string; trackId?: string; releaseId: string; step: string },
): Logger {
  return parent.child(ids);
}
