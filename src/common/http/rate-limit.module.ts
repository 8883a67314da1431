import { Module } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { LoginThrottle } from '../../modules/auth/auth.decorators';

const reflector = new Reflector();

/** A general per-address limit on every route and a strict one on login, both from configuration. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: ({ rateLimit }: AppConfig) => ({
        throttlers: [
          { name: 'general', ttl: rateLimit.windowSeconds * 1000, limit: rateLimit.max },
          {
            name: 'login',
            ttl: rateLimit.windowSeconds * 1000,
            limit: rateLimit.loginMax,
            skipIf: (context) => !reflector.get(LoginThrottle, context.getHandler()),
          },
        ],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class RateLimitModule {}
