import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { TicketsModule } from '../tickets/tickets.module';
import { SaleBatcher } from './sale-batcher';
import { SeatLedger } from './seat-ledger';

/** The seat ledger: the one owner of every change of an event's seats (see SeatLedger). */
@Module({
  imports: [TicketsModule, IdempotencyModule],
  providers: [SeatLedger, SaleBatcher],
  exports: [SeatLedger, SaleBatcher],
})
export class SeatsModule {}
