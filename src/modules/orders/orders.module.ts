import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { PaymentsModule } from '../payments/payments.module';
import { SeatsModule } from '../seats/seats.module';
import { OrderEntity } from './entities/order.entity';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

/** Orders: several ticket types of one event held together, paid once, refunded as a whole. */
@Module({
  imports: [TypeOrmModule.forFeature([OrderEntity]), EventsModule, SeatsModule, PaymentsModule],
  controllers: [OrdersController],
  providers: [OrdersService],
})
export class OrdersModule {}
