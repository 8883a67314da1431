import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { TicketsModule } from '../tickets/tickets.module';
import { UsersModule } from '../users/users.module';
import { BookingsController } from './bookings.controller';
import { BookingsService } from './bookings.service';
import { IdempotencyKeys } from './idempotency/idempotency-keys.service';

@Module({
  imports: [EventsModule, TicketsModule, UsersModule],
  controllers: [BookingsController],
  providers: [BookingsService, IdempotencyKeys],
})
export class BookingsModule {}
