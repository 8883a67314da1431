import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { API_PREFIX } from '../common/http/api-prefix';

/** The process's Prometheus metrics, in a registry of its own (several apps may share a process in tests). */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly bookingsCreated = new Counter({
    name: 'bookings_created_total',
    help: 'Bookings made (a replayed idempotent request books nothing and is not counted)',
    registers: [this.registry],
  });

  readonly bookingsRejected = new Counter({
    name: 'bookings_rejected_total',
    help: 'Booking requests the event refused, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });

  readonly holdsCreated = new Counter({
    name: 'holds_created_total',
    help: 'Checkout holds made (a replayed idempotent request holds nothing and is not counted)',
    registers: [this.registry],
  });

  readonly holdsConfirmed = new Counter({
    name: 'holds_confirmed_total',
    help: 'Checkout holds confirmed into a booking',
    registers: [this.registry],
  });

  readonly holdsReleased = new Counter({
    name: 'holds_released_total',
    help: 'Checkout holds released by their buyer, an admin, or the cancellation of their event',
    registers: [this.registry],
  });

  readonly holdsExpired = new Counter({
    name: 'holds_expired_total',
    help: 'Checkout holds whose time ran out, their seats freed by the sweeper or by a sale that needed them',
    registers: [this.registry],
  });

  readonly promoCodeUses = new Counter({
    name: 'promo_code_uses_total',
    help: "Promo code uses taken: tickets of the code's types in orders made with it (uses given back are not subtracted)",
    registers: [this.registry],
  });

  readonly ordersCreated = new Counter({
    name: 'orders_created_total',
    help: 'Orders made, their lines held together (a replayed idempotent request holds nothing and is not counted)',
    registers: [this.registry],
  });

  readonly ordersPaid = new Counter({
    name: 'orders_paid_total',
    help: 'Orders paid, each line turned into a booking',
    registers: [this.registry],
  });

  readonly ordersCancelled = new Counter({
    name: 'orders_cancelled_total',
    help: 'Pending orders cancelled by their buyer, an admin, or the cancellation of their event',
    registers: [this.registry],
  });

  readonly ordersExpired = new Counter({
    name: 'orders_expired_total',
    help: 'Pending orders whose time ran out, their seats freed by the sweeper or by a sale that needed them',
    registers: [this.registry],
  });

  readonly ordersRefunded = new Counter({
    name: 'orders_refunded_total',
    help: 'Paid orders refunded, every booking of them cancelled',
    registers: [this.registry],
  });

  readonly paymentsSucceeded = new Counter({
    name: 'payments_succeeded_total',
    help: 'Provider payments that paid their order (late ones included)',
    registers: [this.registry],
  });

  readonly paymentsFailed = new Counter({
    name: 'payments_failed_total',
    help: 'Provider payments that failed (the buyer may try again while the order is pending)',
    registers: [this.registry],
  });

  readonly paymentsLate = new Counter({
    name: 'payments_late_total',
    help: 'Provider payments that succeeded after their order had expired or was cancelled: paid again or refunded',
    registers: [this.registry],
  });

  readonly refundsSent = new Counter({
    name: 'refunds_sent_total',
    help: 'Refunds the provider accepted',
    registers: [this.registry],
  });

  readonly refundsFailed = new Counter({
    name: 'refunds_failed_total',
    help: 'Refunds the provider refused for good',
    registers: [this.registry],
  });

  readonly waitlistEntries = new Counter({
    name: 'waitlist_entries_total',
    help: 'Entries put on waiting lists',
    registers: [this.registry],
  });

  readonly waitlistOffers = new Counter({
    name: 'waitlist_offers_total',
    help: 'Offers of freed seats made to waiting entries',
    registers: [this.registry],
  });

  readonly waitlistOffersTaken = new Counter({
    name: 'waitlist_offers_taken_total',
    help: 'Offers confirmed into a booking',
    registers: [this.registry],
  });

  readonly waitlistOffersExpired = new Counter({
    name: 'waitlist_offers_expired_total',
    help: 'Offers that ran out or were released, their seats passed on',
    registers: [this.registry],
  });

  readonly saleBatchSize = new Histogram({
    name: 'sale_batch_size',
    help: 'Requests of one lane (bookings, holds, orders or confirmations, of any events) sent to the database together: 1 for one that found none of its lane on its way',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  readonly webhookMessages = new Counter({
    name: 'webhook_messages_total',
    help: 'Webhook messages written to the outbox (one per change, for all the endpoints subscribed to it)',
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook messages delivered: answered with a 2xx',
    registers: [this.registry],
  });

  readonly webhookFailedAttempts = new Counter({
    name: 'webhook_failed_attempts_total',
    help: 'Webhook delivery attempts that got no 2xx within 10 seconds, or went to a refused address',
    registers: [this.registry],
  });

  constructor(@InjectDataSource() db: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections: total open, idle, and requests waiting for one',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const pool = (db.driver as PostgresDriver).master as Pool | undefined;
        this.set({ state: 'total' }, pool?.totalCount ?? 0);
        this.set({ state: 'idle' }, pool?.idleCount ?? 0);
        this.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
      },
    });
  }

  /**
   * Express middleware counting every answered request, also those refused before reaching a
   * controller (guards, unknown routes), labelled by route pattern so ids do not explode the
   * series: unknown paths under the API prefix are one series, `/api/v1/{*path}`.
   */
  readonly recordHttp = (req: Request, res: Response, next: NextFunction): void => {
    const end = this.httpDuration.startTimer();
    res.once('finish', () => {
      const route =
        (req.route as { path?: string } | undefined)?.path ??
        (req.originalUrl.startsWith(`/${API_PREFIX}/`) ? `/${API_PREFIX}/{*path}` : 'unmatched');
      const labels = { method: req.method, route, status: String(res.statusCode) };
      this.httpRequests.inc(labels);
      end(labels);
    });
    next();
  };
}
