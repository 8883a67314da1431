import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { SeatsModule } from '../seats/seats.module';
import { UsersModule } from '../users/users.module';
import { BookingsController } from './bookings.controller';
import { BookingsService } from './bookings.service';
import { BookingEntity } from './entities/booking.entity';
import { IdempotencyModule } from '../idempotency/idempotency.module';

@Module({
  imports: [TypeOrmModule.forFeature([BookingEntity]), IdempotencyModule, EventsModule, SeatsModule, UsersModule],
  controllers: [BookingsController],
  providers: [BookingsService],
  exports: [BookingsService],
})
export class BookingsModule {}
