import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EventsService } from '../events/events.service';
import { SeatLedger } from '../seats/seat-ledger';

/** How often each API process looks for holds whose time is up: their seats are free within 5 s. */
export const SWEEP_EVERY_MS = 1000;

/**
 * Frees the seats of expired holds, in every API process. Exactly-once comes from the database,
 * not from the schedule: each event is swept in its own transaction under its row lock (the lock
 * order of every other change of seats), and only holds still active are expired, so two
 * processes sweeping the same event expire each hold once. A sale that needs the seats sooner
 * reclaims them itself (SeatLedger.refusal).
 */
@Injectable()
export class HoldSweeper {
  private readonly logger = new Logger(HoldSweeper.name);
  private sweeping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly seats: SeatLedger,
    private readonly events: EventsService,
  ) {}

  @Interval(HoldSweeper.name, SWEEP_EVERY_MS)
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const eventId of await this.seats.dueEvents(this.db.manager)) {
        await this.db.transaction((em) => this.seats.expireDue(em, eventId));
        this.events.changed(eventId);
      }
    } catch (error) {
      this.logger.warn(`Expiring holds failed, next try in ${SWEEP_EVERY_MS} ms: ${(error as Error).message}`);
    } finally {
      this.sweeping = false;
    }
  }
}
