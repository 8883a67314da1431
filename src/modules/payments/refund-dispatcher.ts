import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import { RecurringJob } from '../../common/recurring-job';
import { AppConfig } from '../../config/env';
import { Metrics } from '../../metrics/metrics.service';
import { RefundStatus } from './entities/refund.entity';
import { Installation } from './installation';
import { toMinorUnits } from './money';
import { ProviderError, refundStatusOf, STRIPE_TIMEOUT_MS, StripeGateway } from './stripe-gateway';

/** How often each API process looks for refunds to send. */
const POLL_EVERY_MS = 1000;
/** Refunds one process sends at once. */
const BATCH = 10;
/** A refund taken by a process that then died is taken again after this. */
const LEASE_SECONDS = STRIPE_TIMEOUT_MS / 1000 + 5;
/** The wait after a first failed send; each next one doubles, up to an hour. */
const RETRY_BASE_SECONDS = 1;
const MAX_RETRY_SECONDS = 3600;

/**
 * Takes up to $1 pending refunds that are due (oldest first) and leases them for $2 seconds: the
 * attempt is counted and `next_attempt_at` put past its end, so no other process takes them
 * meanwhile, and one that dies mid-send leaves them to be taken again. SKIP LOCKED lets
 * processes take different refunds at once.
 */
const CLAIM_STATEMENT = `
UPDATE refunds r
   SET attempts = r.attempts + 1, next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
  FROM (SELECT id FROM refunds WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due, payments p
 WHERE r.id = due.id AND p.id = r.payment_id
RETURNING r.id, r.attempts, r.amount::text, p.reference AS intent, p.currency`;

interface DueRefund {
  id: number;
  attempts: number;
  amount: string;
  intent: string;
  currency: string;
}

/** Records a send's outcome, if the refund is still the lease this process took ($1 id, $2 attempts). */
const RECORD_STATEMENT = `
UPDATE refunds SET status = $3, reference = coalesce($4, reference), next_attempt_at = $5, last_error = $6, updated_at = now()
 WHERE id = $1 AND attempts = $2 AND status = 'pending'`;

/**
 * Sends refunds of provider payments, recorded `pending` in the transaction that decided them
 * (an outbox, like webhook deliveries): each with its own id as Stripe's idempotency key, so a
 * send repeated after a timeout, a crash or by another process is carried out once; retried
 * with backoff while Stripe fails, `failed` when it refuses for good.
 */
@Injectable()
export class RefundDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RefundDispatcher.name);
  private readonly job = new RecurringJob(this.logger, 'Sending refunds', () => this.sendDue());

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly stripe: StripeGateway,
    private readonly installation: Installation,
    private readonly metrics: Metrics,
  ) {
    new Gauge({
      name: 'refunds_pending',
      help: 'Refunds recorded and not yet accepted or refused by the payment provider',
      registers: [metrics.registry],
      async collect() {
        const [{ n }]: { n: number }[] = await db
          .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM refunds WHERE status = 'pending'`)
          .catch(() => [{ n: NaN }]);
        this.set(n);
      },
    });
  }

  @Interval(RefundDispatcher.name, POLL_EVERY_MS)
  poll(): Promise<void> | undefined {
    return this.config.payments.provider === 'none' ? undefined : this.job.tick();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  private async sendDue(): Promise<void> {
    const [due]: [DueRefund[], number] = await this.db.query(CLAIM_STATEMENT, [BATCH, LEASE_SECONDS]);
    await Promise.all(due.map((refund) => this.send(refund)));
  }

  private async send(refund: DueRefund): Promise<void> {
    const installationId = await this.installation.id();
    try {
      const sent = await this.stripe.createRefund(
        {
          payment_intent: refund.intent,
          amount: toMinorUnits(refund.amount, refund.currency),
          metadata: { refund_id: String(refund.id), installation_id: installationId },
        },
        `${installationId}-refund-${refund.id}`,
      );
      const status = refundStatusOf(sent);
      await this.record(refund, status, sent.id, null, null);
      (status === RefundStatus.Failed ? this.metrics.refundsFailed : this.metrics.refundsSent).inc();
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.permanent) {
        this.logger.error(`Refund ${refund.id} refused by Stripe for good: ${error.message}`);
        this.metrics.refundsFailed.inc();
        await this.record(refund, RefundStatus.Failed, null, null, error.message);
        return;
      }
      const wait = Math.min(RETRY_BASE_SECONDS * 2 ** (refund.attempts - 1), MAX_RETRY_SECONDS);
      this.logger.warn(`Refund ${refund.id} not sent (${error.message}); next try in ${wait} s`);
      await this.record(refund, RefundStatus.Pending, null, new Date(Date.now() + wait * 1000), error.message);
    }
  }

  private record(
    { id, attempts }: DueRefund,
    status: RefundStatus,
    reference: string | null,
    next: Date | null,
    error: string | null,
  ): Promise<unknown> {
    return this.db.query(RECORD_STATEMENT, [id, attempts, status, reference, next, error?.slice(0, 500) ?? null]);
  }
}
