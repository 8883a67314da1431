import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SeatsModule } from '../seats/seats.module';
import { EventEntity } from './entities/event.entity';
import { TicketTypeEntity } from './entities/ticket-type.entity';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { TicketTypesController } from './ticket-types.controller';
import { TicketTypesService } from './ticket-types.service';
import { WebhooksModule } from '../webhooks/webhooks.module';

@Module({
  imports: [TypeOrmModule.forFeature([EventEntity, TicketTypeEntity]), SeatsModule, WebhooksModule],
  controllers: [EventsController, TicketTypesController],
  providers: [EventsService, TicketTypesService],
  exports: [EventsService],
})
export class EventsModule {}
