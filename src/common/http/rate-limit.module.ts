import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
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

/** A general per-address limit on every route and a strict one on login, both from configuration (or none). */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: ({ rateLimit }: AppConfig) => ({
        throttlers: rateLimit.enabled
          ? [
              { name: 'default', ttl: rateLimit.windowSeconds * 1000, limit: rateLimit.max },
              {
                name: 'login',
                ttl: rateLimit.windowSeconds * 1000,
                limit: rateLimit.loginMax,
                skipIf: (context) => !reflector.get(LoginThrottle, context.getHandler()),
              },
            ]
          : [],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
