import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import { Logger, LoggerModule } from 'nestjs-pino';
import { currentLogContext } from './log-context';

/** Headers that hold secrets: never written to a log. */
const SECRET_HEADERS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers.cookie',
];

/** `LOG_FORMAT=text` (as `npm start` sets) keeps Nest's readable console lines instead. */
const textLogs = () => process.env.LOG_FORMAT === 'text';

/**
 * JSON logs (pino) for every app: one object per line with the app's name, the level, the
 * message, and the correlation id and message id of the work in hand (see withLogContext). Request
 * lines leave out health checks and scrapes, and never show a key.
 */
export function jsonLogsModule(app: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      name: app,
      level: process.env.LOG_LEVEL ?? 'info',
      mixin: () => ({ ...currentLogContext() }),
      redact: { paths: SECRET_HEADERS, censor: '[redacted]' },
      genReqId: (request: IncomingMessage) =>
        (request as IncomingMessage & { correlationId?: string }).correlationId ?? randomUUID(),
      autoLogging: textLogs()
        ? false
        : {
            ignore: (request: IncomingMessage) =>
              request.url === '/metrics' || (request.url ?? '').startsWith('/health'),
          },
    },
  });
}

/** Hands the app's logging to pino; until then Nest buffers what it logs (bufferLogs). */
export function useJsonLogs(app: INestApplication): void {
  app.useLogger(textLogs() ? new ConsoleLogger() : app.get(Logger));
}
