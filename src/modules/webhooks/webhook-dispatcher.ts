import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig, WebhooksConfig } from '../../config/env';
import { Metrics } from '../../metrics/metrics.service';
import { WebhookEventType } from './webhook-event-type';
import { AttemptResult, DELIVERY_TIMEOUT_MS, send } from './webhook-sender';

/** How often each API process looks for deliveries that are due. */
export const POLL_EVERY_MS = 250;
/** Deliveries one process has on their way at once. */
const MAX_IN_FLIGHT = 32;
/** A delivery taken by a process that then died is taken again after this. */
const LEASE_SECONDS = DELIVERY_TIMEOUT_MS / 1000 + 20;
/** The longest wait between two attempts. */
const MAX_RETRY_DELAY_MS = 10 * 3600 * 1000;

/** Deliveries as the three arrays `delivered` takes. */
function deliveredColumns(delivered: { id: number; attempts: number; statusCode: number }[]): number[][] {
  return [delivered.map((d) => d.id), delivered.map((d) => d.attempts), delivered.map((d) => d.statusCode)];
}

/** The wait after failed attempt `attempts` (1, 2, ...) before the next one; null when none is left. */
export function retryDelayMs(attempts: number, { retryBaseMs, maxAttempts }: WebhooksConfig): number | null {
  if (attempts >= maxAttempts) return null;
  return Math.min(retryBaseMs * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
}

/**
 * Marks delivered the deliveries whose ids, leased attempts and HTTP statuses are the parameters
 * from $`first` on (three arrays): a batch of what the last attempts delivered.
 */
const delivered = (first: number) => `delivered AS (
  UPDATE webhook_deliveries d
     SET status = 'delivered', last_status_code = r.status_code, last_error = NULL, next_attempt_at = NULL,
         updated_at = now()
    FROM unnest($${first}::int[], $${first + 1}::int[], $${first + 2}::int[]) AS r(id, attempts, status_code)
   WHERE d.id = r.id AND d.attempts = r.attempts AND d.status = 'pending'
)`;

/**
 * Takes up to $1 pending deliveries that are due, of active endpoints, oldest first, and leases
 * them for $2 seconds: counts the attempt and puts `next_attempt_at` past the attempt's end, so
 * that no other process takes them meanwhile, and a process that dies mid-attempt leaves them to
 * be taken again. SKIP LOCKED lets processes take different deliveries at once. A delivery is
 * not taken while an earlier one of the same endpoint and resource is pending (also while that
 * one is leased): each endpoint gets a resource's messages in the order they were made. It
 * first records the deliveries $3 to $5 (see `delivered`), so that one round trip ends attempts
 * and starts the next.
 */
const CLAIM_STATEMENT = `
WITH ${delivered(3)}, due AS (
  SELECT d.id FROM webhook_deliveries d
    JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.active
   WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND d.id <> ALL ($3::int[])
     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier
                      WHERE earlier.endpoint_id = d.endpoint_id AND earlier.resource = d.resource
                        AND earlier.status = 'pending' AND earlier.id < d.id)
   ORDER BY d.id
   LIMIT $1
     FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d
   SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
  FROM due, webhook_messages m, webhook_endpoints e
 WHERE d.id = due.id AND m.id = d.message_id AND e.id = d.endpoint_id
RETURNING d.id, d.attempts, m.id AS message_id, m.type, m.data, m.created_at, e.url, e.secret`;

interface DueDelivery {
  id: number;
  attempts: number;
  message_id: string;
  type: WebhookEventType;
  data: object;
  created_at: Date;
  url: string;
  secret: string;
}

/**
 * Records an attempt's failure on the delivery leased for attempt $5: tried again at $4 seconds
 * from now, or, when $4 is null, failed for good. The endpoint of a failed delivery is turned off
 * ($6 says why) unless it answered any delivery with a 2xx since that one was made.
 */
const FAILED_STATEMENT = `
WITH attempt AS (
  UPDATE webhook_deliveries
     SET status = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END::webhook_delivery_status,
         last_status_code = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4::float8),
         updated_at = now()
   WHERE id = $1 AND attempts = $5 AND status = 'pending'
  RETURNING endpoint_id, created_at, status
)
UPDATE webhook_endpoints e SET active = false, disabled_reason = $6, updated_at = now()
  FROM attempt
 WHERE attempt.status = 'failed' AND e.id = attempt.endpoint_id AND e.active
   AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                    WHERE d.endpoint_id = e.id AND d.status = 'delivered' AND d.updated_at > attempt.created_at)`;

const DELIVERED_STATEMENT = `WITH ${delivered(1)} SELECT 1`;

/** Seconds since the oldest delivery still pending to an active endpoint was made; 0 when none is. */
const LAG_QUERY = `
SELECT coalesce(extract(epoch FROM now() - min(d.created_at)), 0)::float8 AS lag
  FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.active
 WHERE d.status = 'pending'`;

/**
 * Delivers webhook messages from the outbox, in every API process: at least once, as the
 * database hands out leased deliveries (CLAIM_STATEMENT), so any number of processes, and
 * processes that die and restart, share the work without losing a message. A failed attempt is
 * tried again after WEBHOOK_RETRY_BASE_MS, doubling each time up to 10 hours, until
 * WEBHOOK_MAX_ATTEMPTS; then the delivery fails and its endpoint, unless it answered another
 * message since, is turned off.
 */
@Injectable()
export class WebhookDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly inFlight = new Set<Promise<void>>();
  /** Deliveries answered with a 2xx, recorded by the next poll (or at shutdown) in one go. */
  private delivered: { id: number; attempts: number; statusCode: number }[] = [];
  private polling = false;
  private stopped = false;
  /**
   * The last poll took as many deliveries as it could, so more are due: once half of them have
   * ended, the dispatcher polls again at once rather than at the next tick.
   */
  private behind = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    new Gauge({
      name: 'webhook_oldest_pending_seconds',
      help: 'Age of the oldest webhook delivery not yet delivered to an active endpoint (0: none is waiting)',
      registers: [metrics.registry],
      async collect() {
        const rows: { lag: number }[] = await db.query<{ lag: number }[]>(LAG_QUERY).catch(() => [{ lag: NaN }]);
        this.set(rows[0].lag);
      },
    });
  }

  @Interval(WebhookDispatcher.name, POLL_EVERY_MS)
  async poll(): Promise<void> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (this.polling || this.stopped || free <= 0) return;
    this.polling = true;
    const delivered = this.delivered.splice(0);
    try {
      // An UPDATE's result comes as [rows, row count].
      const [due]: [DueDelivery[], number] = await this.db.query(CLAIM_STATEMENT, [
        free,
        LEASE_SECONDS,
        ...deliveredColumns(delivered),
      ]);
      this.behind = due.length === free;
      for (const delivery of due) {
        const attempt = this.attempt(delivery).finally(() => {
          this.inFlight.delete(attempt);
          if (this.behind && this.inFlight.size <= MAX_IN_FLIGHT / 2) void this.poll();
        });
        this.inFlight.add(attempt);
      }
    } catch (error) {
      this.delivered.unshift(...delivered);
      this.logger.warn(
        `Taking webhook deliveries failed, next try in ${POLL_EVERY_MS} ms: ${(error as Error).message}`,
      );
    } finally {
      this.polling = false;
    }
  }

  /** Takes no more deliveries, and lets those on their way end (their leases cover a process that cannot wait). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.inFlight);
    await this.db.query(DELIVERED_STATEMENT, deliveredColumns(this.delivered.splice(0))).catch((error: Error) => {
      this.logger.warn(`Recording webhook deliveries failed; they are sent again: ${error.message}`);
    });
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    const { message_id: id, type, created_at, data, url, secret } = delivery;
    const message = { id, url, secret, body: JSON.stringify({ id, type, created_at, data }) };
    try {
      await this.record(delivery, await send(message, !this.config.webhooks.allowPrivateUrls));
    } catch (error) {
      this.logger.warn(`Webhook delivery ${delivery.id} failed; it is tried again: ${(error as Error).message}`);
    }
  }

  private async record({ id, attempts }: DueDelivery, result: AttemptResult): Promise<void> {
    const { statusCode } = result;
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      this.metrics.webhookDeliveries.inc();
      this.delivered.push({ id, attempts, statusCode });
      return;
    }
    this.metrics.webhookFailedAttempts.inc();
    const delay = retryDelayMs(attempts, this.config.webhooks);
    const error = result.error ?? `HTTP ${statusCode}`;
    const reason = `Turned off after delivery ${id} failed ${attempts} times (last: ${error})`;
    await this.db.query(FAILED_STATEMENT, [
      id,
      statusCode,
      error,
      delay === null ? null : delay / 1000,
      attempts,
      reason,
    ]);
  }
}
