import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module';
import { SeatLedger } from './seat-ledger';

/** The seat ledger: the one owner of every change of an event's seats (see SeatLedger). */
@Module({
  imports: [TicketsModule],
  providers: [SeatLedger],
  exports: [SeatLedger],
})
export class SeatsModule {}
