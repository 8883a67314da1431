import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { SeatsModule } from '../seats/seats.module';
import { TicketsModule } from '../tickets/tickets.module';
import { UsersModule } from '../users/users.module';
import { BookingsController } from './bookings.controller';
import { BookingsService } from './bookings.service';
import { BookingEntity } from './entities/booking.entity';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity';
import { IdempotencyKeys } from './idempotency/idempotency-keys.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([BookingEntity, IdempotencyKeyEntity]),
    EventsModule,
    SeatsModule,
    TicketsModule,
    UsersModule,
  ],
  controllers: [BookingsController],
  providers: [BookingsService, IdempotencyKeys],
})
export class BookingsModule {}
