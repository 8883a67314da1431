import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import pino, { LoggerOptions } from 'pino';
import { AppConfig } from '../config/env';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** A caller's request id is kept only if it looks like one (no injection into log lines). */
const REQUEST_ID_FORMAT = /^[\w.:-]{1,128}$/;

/**
 * Options shared by every logger: JSON on stdout, at LOG_LEVEL. Nothing secret reaches a line:
 * requests are logged as id, method and path only (no headers, so no token; no body, so no
 * password or phone), and the Authorization header is redacted should anything log one.
 */
export function loggerOptions(config: AppConfig): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization'], censor: '[redacted]' },
  };
}

/** A logger for what happens before the app exists (configuration, the embedded database). */
export function bootstrapLogger(config: AppConfig) {
  const log = pino(loggerOptions(config));
  return {
    log: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string) => log.error(message),
  };
}

/** The request id: the caller's `X-Request-Id` when well-formed, else a new UUID; echoed in the response. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER.toLowerCase()];
  const id = typeof given === 'string' && REQUEST_ID_FORMAT.test(given) ? given : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** Structured logs: one line per request, and every line logged while serving it, carry its id. */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // Every route, in the path syntax of Express 5 (nestjs-pino's default '*' draws a warning).
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            ...loggerOptions(config),
            genReqId: requestId,
            customProps: (req) => ({ request_id: req.id }),
            serializers: {
              req: (req: { method: string; url: string }) => ({
                method: req.method,
                path: pathOf(req.url),
              }),
              res: (res: { statusCode: number }) => ({ status: res.statusCode }),
            },
          },
        }),
      ],
    };
  }
}

/** The URL without its query string, which may carry search terms. */
function pathOf(url: string): string {
  return url.split('?')[0];
}
