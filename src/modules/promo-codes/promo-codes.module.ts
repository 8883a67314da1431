import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { SeatsModule } from '../seats/seats.module';
import { PromoCodeEntity } from './entities/promo-code.entity';
import { PromoCodesController } from './promo-codes.controller';
import { PromoCodesService } from './promo-codes.service';

/** Promo codes: discounts on an event's tickets, and access to its hidden ticket types, for orders. */
@Module({
  imports: [TypeOrmModule.forFeature([PromoCodeEntity]), EventsModule, SeatsModule],
  controllers: [PromoCodesController],
  providers: [PromoCodesService],
})
export class PromoCodesModule {}
