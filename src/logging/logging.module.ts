import { DynamicModule, Global, Inject, Injectable, LoggerService, Module } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import pino, { Level, Logger, LoggerOptions } from 'pino';
import { AppConfig } from '../config/env';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** A caller's request id is kept only if it looks like one (no injection into log lines). */
const REQUEST_ID_FORMAT = /^[\w.:-]{1,128}$/;
/** The process's pino logger. */
export const PINO = Symbol('PINO');

/**
 * Options shared by every logger: JSON on stdout, at LOG_LEVEL; in development on a terminal,
 * lines a person reads (pino-pretty). Nothing secret reaches a line: requests are logged as id,
 * method and path only (no headers, so no token; no body, so no password or phone), and the
 * Authorization header is redacted should anything log one.
 */
export function loggerOptions(config: AppConfig, terminal = process.stdout.isTTY === true): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization'], censor: '[redacted]' },
    ...(config.env === 'development' && terminal
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
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

/**
 * Express middleware, first on every request: gives it an id (the caller's `X-Request-Id` when
 * well-formed, else a new UUID), echoes the id in the response, and writes one line when the
 * response is done, with the id, method, path, status and duration in milliseconds. Work is done
 * once per request, when the line is written: no per-request child logger.
 */
export function logRequests(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = Date.now();
    const given = req.headers[REQUEST_ID_HEADER.toLowerCase()];
    const id = typeof given === 'string' && REQUEST_ID_FORMAT.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, id);
    res.once('close', () => {
      const line = {
        request_id: id,
        req: { method: req.method, path: pathOf(req.originalUrl) },
        res: { status: res.statusCode },
        responseTime: Date.now() - started,
      };
      if (!res.writableFinished) log.warn(line, 'request aborted');
      else if (res.statusCode >= 500) log.error(line, 'request errored');
      else if (isProbe(line.req.path)) log.debug(line, 'request completed');
      else log.info(line, 'request completed');
    });
    next();
  };
}

/** The request id `logRequests` gave the request that `res` answers. */
export function requestIdOf(res: Response): string | undefined {
  return res.getHeader(REQUEST_ID_HEADER) as string | undefined;
}

/** Nest's logger service over pino: the framework's lines as JSON, with their context. */
@Injectable()
export class JsonLogger implements LoggerService {
  constructor(@Inject(PINO) private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  /** Nest's `error(message, stack, context)`. */
  error(message: unknown, ...params: unknown[]): void {
    const stack = params.length > 1 && typeof params[0] === 'string' ? params[0] : undefined;
    this.write('error', message, params, stack === undefined ? {} : { stack });
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes the context last; an object message becomes fields of the line. */
  private write(level: Level, message: unknown, params: unknown[], fields: object = {}): void {
    const context = typeof params.at(-1) === 'string' ? params.at(-1) : undefined;
    if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...fields, ...message });
    else this.pino[level]({ context, ...fields }, String(message));
  }
}

/** Structured logs: one line per request (`logRequests`) and the framework's lines, as JSON on stdout. */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: PINO, useValue: pino(loggerOptions(config)) }, JsonLogger],
      exports: [PINO, JsonLogger],
    };
  }
}

/** Health probes and metrics scrapes, which come every few seconds and say nothing of their own. */
function isProbe(path: string): boolean {
  return path.startsWith('/health/') || path === '/metrics';
}

/** The URL without its query string, which may carry search terms. */
function pathOf(url: string): string {
  return url.split('?')[0];
}
