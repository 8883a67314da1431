import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import type { Response } from 'express';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { LoginThrottle } from '../../modules/auth/auth.decorators';
import { AppError } from '../errors/app-error';

const reflector = new Reflector();

/** Answers with the contract's 429 and a plain `Retry-After`, whichever limit was hit. */
@Injectable()
class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    { timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(timeToBlockExpire));
    throw new AppError('RATE_LIMITED', `Too many requests, retry in ${timeToBlockExpire} s`);
  }
}

/** The phone a login attempt is for, so attempts on one account are limited from any address. */
function loginPhone(req: Record<string, unknown>): string {
  const phone = (req.body as { phone?: unknown } | undefined)?.phone;
  return typeof phone === 'string' ? `phone:${phone.trim()}` : `address:${String(req.ip)}`;
}

/**
 * A general per-address limit on every route and strict ones on login, per address and per
 * phone, all from configuration (or none). Counters live in Redis when REDIS_URL is set, so
 * every API process counts against the same limits; keys are hashes, never a phone in clear.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: ({ rateLimit }: AppConfig) => {
        const ttl = rateLimit.windowSeconds * 1000;
        const notLogin = (context: ExecutionContext) => !reflector.get(LoginThrottle, context.getHandler());
        return {
          throttlers: rateLimit.enabled
            ? [
                { name: 'default', ttl, limit: rateLimit.max },
                { name: 'login', ttl, limit: rateLimit.loginMax, skipIf: notLogin },
                { name: 'login-phone', ttl, limit: rateLimit.loginPhoneMax, skipIf: notLogin, getTracker: loginPhone },
              ]
            : [],
          storage: rateLimit.redisUrl ? new ThrottlerStorageRedisService(rateLimit.redisUrl) : undefined,
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
