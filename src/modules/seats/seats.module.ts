import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { TicketsModule } from '../tickets/tickets.module';
import { PurchasePolicy } from './purchase-policy';
import { SaleBatcher } from './sale-batcher';
import { SeatLedger } from './seat-ledger';

/** The seat ledger: the one owner of every change of an event's seats and of the rules of a purchase (see SeatLedger). */
@Module({
  imports: [TicketsModule, IdempotencyModule],
  providers: [SeatLedger, SaleBatcher, PurchasePolicy],
  exports: [SeatLedger, SaleBatcher, PurchasePolicy],
})
export class SeatsModule {}
