import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { SeatsModule } from '../seats/seats.module';
import { HoldEntity } from './entities/hold.entity';
import { HoldSweeper } from './hold-sweeper';
import { HoldsController } from './holds.controller';
import { HoldsService } from './holds.service';

/** Checkout holds: seats kept for a buyer while they pay, then confirmed, released or expired. */
@Module({
  imports: [TypeOrmModule.forFeature([HoldEntity]), EventsModule, IdempotencyModule, SeatsModule],
  controllers: [HoldsController],
  providers: [HoldsService, HoldSweeper],
})
export class HoldsModule {}
