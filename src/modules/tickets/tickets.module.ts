import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TicketEntity } from './entities/ticket.entity';
import { TicketCodeGenerator } from './ticket-code';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';
import { WebhooksModule } from '../webhooks/webhooks.module';

@Module({
  imports: [TypeOrmModule.forFeature([TicketEntity]), WebhooksModule],
  controllers: [TicketsController],
  providers: [TicketsService, TicketCodeGenerator],
  exports: [TicketCodeGenerator],
})
export class TicketsModule {}
