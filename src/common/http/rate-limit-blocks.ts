import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '../errors/all-exceptions.filter';
import { AppError } from '../errors/app-error';
import { ERROR_STATUS } from '../errors/error-code';

/** The most requests remembered as blocked at once: a client varying its paths cannot grow the map without end. */
const MAX_BLOCKED = 10_000;

/**
 * The requests this process last answered 429 for the general limit, by address, method and path,
 * until their block ends, so that the same request is answered 429 again before any routing,
 * body parsing, guard or exception filter runs: a client flooding past its limit costs the
 * process a lookup per request instead of the whole stack, and other clients wait less behind it.
 * The answer is the one the guard gives (same body, same Retry-After); a request the guard did
 * not refuse yet (another path of the same route, say) takes the usual way, and is refused there.
 */
@Injectable()
export class RateLimitBlocks {
  private readonly blocked = new Map<string, number>();

  /** Remembers `req` as blocked for `seconds` (the guard's Retry-After). */
  block(req: Request, seconds: number): void {
    const now = Date.now();
    if (this.blocked.size >= MAX_BLOCKED) {
      for (const [key, until] of this.blocked) if (until <= now) this.blocked.delete(key);
      if (this.blocked.size >= MAX_BLOCKED) return;
    }
    this.blocked.set(keyOf(req), now + seconds * 1000);
  }

  /** Express middleware: answers a request still blocked 429 RATE_LIMITED with Retry-After. */
  readonly answerBlocked = (req: Request, res: Response, next: NextFunction): void => {
    if (this.blocked.size === 0) return next();
    const key = keyOf(req);
    const until = this.blocked.get(key);
    if (until === undefined) return next();
    const left = until - Date.now();
    if (left <= 0) {
      this.blocked.delete(key);
      return next();
    }
    const error = AppError.rateLimited(Math.ceil(left / 1000));
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(ERROR_STATUS[error.code]).json(errorBody(error));
  };
}

function keyOf(req: Request): string {
  return `${req.ip} ${req.method} ${req.path}`;
}
