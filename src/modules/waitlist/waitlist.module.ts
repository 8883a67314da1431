import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { SeatsModule } from '../seats/seats.module';
import { UsersModule } from '../users/users.module';
import { WaitlistEntryEntity } from './entities/waitlist-entry.entity';
import { WaitlistController } from './waitlist.controller';
import { WaitlistService } from './waitlist.service';

/** Waiting lists: freed seats offered, in order of arrival, to those waiting for them. */
@Module({
  imports: [TypeOrmModule.forFeature([WaitlistEntryEntity]), EventsModule, SeatsModule, UsersModule],
  controllers: [WaitlistController],
  providers: [WaitlistService],
})
export class WaitlistModule {}
