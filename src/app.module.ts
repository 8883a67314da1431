import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { RateLimitModule } from './common/http/rate-limit.module';
import { createValidationPipe } from './common/http/validation.pipe';
import { ConfigModule } from './config/config.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { AppConfig } from './config/env';
import { typeOrmOptions } from './database/typeorm-options';
import { AuthModule } from './modules/auth/auth.module';
import { BookingsModule } from './modules/bookings/bookings.module';
import { HealthModule } from './modules/health/health.module';
import { EventsModule } from './modules/events/events.module';
import { HoldsModule } from './modules/holds/holds.module';
import { OrdersModule } from './modules/orders/orders.module';
import { PromoCodesModule } from './modules/promo-codes/promo-codes.module';
import { PaymentsModule } from './modules/payments/payments.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { WaitlistModule } from './modules/waitlist/waitlist.module';
import { TicketsModule } from './modules/tickets/tickets.module';
import { UsersModule } from './modules/users/users.module';

@Module({})
export class AppModule {
  /** The whole API on the database at `databaseUrl`. */
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        MetricsModule,
        TypeOrmModule.forRoot(typeOrmOptions(databaseUrl, config.database)),
        ScheduleModule.forRoot(),
        RateLimitModule,
        AuthModule,
        UsersModule,
        EventsModule,
        BookingsModule,
        HoldsModule,
        OrdersModule,
        PromoCodesModule,
        PaymentsModule,
        WaitlistModule,
        TicketsModule,
        WebhooksModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
