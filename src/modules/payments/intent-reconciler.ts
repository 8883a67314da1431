import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import { RecurringJob } from '../../common/recurring-job';
import { AppConfig } from '../../config/env';
import { Installation } from './installation';
import { PaymentsService } from './payments.service';
import { Intent, ProviderError, StripeGateway } from './stripe-gateway';

/** How often each API process looks for intents to settle. */
const POLL_EVERY_MS = 2000;
/** How long after it was taken an intent is taken again (by any process) if it is still open. */
const RECHECK_SECONDS = 30;

/**
 * Takes up to 10 open Stripe payments (not succeeded, not settled at Stripe) of orders that
 * ended unpaid or were paid another way within the last hour, not taken in the last
 * RECHECK_SECONDS, and marks them taken (SKIP LOCKED: each goes to one process at a time).
 */
const CLAIM_STATEMENT = `
UPDATE payments p SET checked_at = now()
  FROM (SELECT p.id FROM payments p JOIN orders o ON o.id = p.order_id
         WHERE p.closed_at IS NULL AND p.provider = 'stripe' AND p.status <> 'succeeded' AND o.status <> 'pending'
           AND o.updated_at > now() - interval '1 hour'
           AND (p.checked_at IS NULL OR p.checked_at < now() - make_interval(secs => $1))
         ORDER BY p.id LIMIT 10 FOR UPDATE OF p SKIP LOCKED) due
 WHERE p.id = due.id
RETURNING p.id, p.reference`;

const CLOSE_STATEMENT = `
UPDATE payments SET closed_at = now(), status = CASE status WHEN 'requires_payment' THEN 'failed'::payment_status ELSE status END,
       updated_at = now()
 WHERE id = $1`;

/**
 * Settles the intents of orders that will not be paid through them, for an hour after the order
 * ended: each is read back from Stripe and cancelled, so its buyer can no longer be charged; one
 * that succeeded meanwhile (its callback lost or still on its way) is acted on as a late payment,
 * so no buyer is left charged without tickets or a refund.
 */
@Injectable()
export class IntentReconciler implements BeforeApplicationShutdown {
  private readonly logger = new Logger(IntentReconciler.name);
  private readonly job = new RecurringJob(this.logger, 'Settling payment intents', () => this.settleDue());

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stripe: StripeGateway,
    private readonly installation: Installation,
    private readonly payments: PaymentsService,
  ) {}

  @Interval(IntentReconciler.name, POLL_EVERY_MS)
  poll(): Promise<void> | undefined {
    return this.config.payments.provider === 'none' ? undefined : this.job.tick();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  private async settleDue(): Promise<void> {
    const [due]: [{ id: number; reference: string }[], number] = await this.db.query(CLAIM_STATEMENT, [
      RECHECK_SECONDS,
    ]);
    for (const payment of due) await this.settle(payment);
  }

  /**
   * Reads the intent back: one that succeeded is acted on as a late payment; one that can still
   * be paid is cancelled (should Stripe refuse, because it succeeded meanwhile, the next look
   * finds it so); one that succeeded or was cancelled is settled for good.
   */
  private async settle(payment: { id: number; reference: string }): Promise<void> {
    let intent: Intent = await this.stripe.retrieveIntent(payment.reference);
    if (intent.status !== 'succeeded' && intent.status !== 'canceled' && intent.status !== 'processing') {
      const installationId = await this.installation.id();
      try {
        intent = await this.stripe.cancelIntent(payment.reference, `${installationId}-cancel-${payment.id}`);
      } catch (error) {
        if (error instanceof ProviderError) return;
        throw error;
      }
    }
    if (intent.status === 'succeeded') {
      await this.payments.receive({
        id: `read-back:${intent.id}`,
        type: 'payment_intent.succeeded',
        data: { object: intent },
      });
    }
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      await this.db.query(CLOSE_STATEMENT, [payment.id]);
    }
  }
}
