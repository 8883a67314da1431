import { ExecutionContext, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModule,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { AppError } from '../errors/app-error';
import { RateLimitBlocks } from './rate-limit-blocks';
import { WindowCounterStorage } from './window-counter-storage';

const reflector = new Reflector();

/** Marks the login route for the strict per-address login limit. */
export const LoginThrottle = Reflector.createDecorator<true>({ transform: () => true });

/**
 * Answers with the contract's 429 and `Retry-After`, whichever limit was hit; a request the
 * general limit refused is remembered (RateLimitBlocks) until its block ends. The login limit's
 * refusals also carry `Retry-After-login`, so they always take this way.
 */
@Injectable()
class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly blocks: RateLimitBlocks,
  ) {
    super(options, storage, reflector);
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    { timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    const http = context.switchToHttp();
    if (http.getResponse<Response>().getHeader('Retry-After-login') === undefined) {
      this.blocks.block(http.getRequest<Request>(), timeToBlockExpire);
    }
    return Promise.reject(AppError.rateLimited(timeToBlockExpire));
  }
}

/**
 * A general per-address limit on every route and a strict one on login attempts per address, both
 * from configuration (or none). Counters live in Redis when REDIS_URL is set, so every API process
 * counts against the same limits; else in memory, at a cost per request that no limit raises
 * (WindowCounterStorage). Wrong passwords are counted apart, per phone (LoginAttempts).
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
              ]
            : [],
          storage: rateLimit.redisUrl
            ? new ThrottlerStorageRedisService(rateLimit.redisUrl)
            : new WindowCounterStorage(),
        };
      },
    }),
  ],
  providers: [RateLimitBlocks, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [RateLimitBlocks],
})
export class RateLimitModule {}
