import { Module } from '@nestjs/common';
import { TicketCodeGenerator } from './ticket-code';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  controllers: [TicketsController],
  providers: [TicketsService, TicketCodeGenerator],
  exports: [TicketsService, TicketCodeGenerator],
})
export class TicketsModule {}
