import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { RefundStatus } from './entities/refund.entity';

/** Longest the API waits for Stripe to answer one request. */
export const STRIPE_TIMEOUT_MS = 10_000;
/** How old a callback's signature may be. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/** What Stripe said about a request it did not carry out: try again later, or never. */
export class ProviderError extends Error {
  constructor(
    message: string,
    /** A refusal for good (a 4xx other than 409 and 429): the same request will never succeed. */
    readonly permanent: boolean,
  ) {
    super(message);
  }

  /** 409 PAYMENT_REJECTED for a refusal for good, else 502 PAYMENT_PROVIDER_UNAVAILABLE. */
  toAppError(what: string): AppError {
    return this.permanent
      ? new AppError('PAYMENT_REJECTED', `The payment provider refused ${what}: ${this.message}`)
      : new AppError('PAYMENT_PROVIDER_UNAVAILABLE', `The payment provider did not take ${what}; try again later`);
  }
}

export type Intent = Stripe.PaymentIntent;

/**
 * A refund Stripe took, as a refund row's status: `failed` when it failed or was canceled, else
 * `succeeded` (Stripe accepted it; its own `pending` is the bank's time, not the API's).
 */
export function refundStatusOf({ status }: Stripe.Refund): RefundStatus {
  return status === 'failed' || status === 'canceled' ? RefundStatus.Failed : RefundStatus.Succeeded;
}
export type StripeEvent = Stripe.Event;

/**
 * Stripe, through its official SDK, pointed at STRIPE_API_URL when set (stripe-mock, a test
 * double). Every call carries an idempotency key, so a call repeated after a timeout or a crash
 * is carried out once. The SDK retries nothing but a connection closed under it (once, under the
 * same key), so a call gives up after STRIPE_TIMEOUT_MS without an answer. Every failure is a
 * ProviderError.
 */
@Injectable()
export class StripeGateway {
  private readonly stripe: Stripe;
  private readonly webhookSecret: string;

  constructor(@Inject(APP_CONFIG) { payments }: AppConfig) {
    const { secretKey, webhookSecret, apiUrl } = payments.stripe ?? { secretKey: 'unused', webhookSecret: '' };
    this.webhookSecret = webhookSecret;
    this.stripe = new Stripe(secretKey, {
      timeout: STRIPE_TIMEOUT_MS,
      maxNetworkRetries: 0,
      telemetry: false,
      ...(apiUrl && {
        host: apiUrl.hostname,
        port: Number(apiUrl.port || (apiUrl.protocol === 'https:' ? 443 : 80)),
        protocol: apiUrl.protocol === 'https:' ? 'https' : 'http',
      }),
    });
  }

  createIntent(params: Stripe.PaymentIntentCreateParams, idempotencyKey: string): Promise<Intent> {
    return this.call(() => this.stripe.paymentIntents.create(params, { idempotencyKey }));
  }

  retrieveIntent(id: string): Promise<Intent> {
    return this.call(() => this.stripe.paymentIntents.retrieve(id));
  }

  cancelIntent(id: string, idempotencyKey: string): Promise<Intent> {
    return this.call(() => this.stripe.paymentIntents.cancel(id, {}, { idempotencyKey }));
  }

  createRefund(params: Stripe.RefundCreateParams, idempotencyKey: string): Promise<Stripe.Refund> {
    return this.call(() => this.stripe.refunds.create(params, { idempotencyKey }));
  }

  /** The event a callback carries, once its raw body's signature checks out; else 400 INVALID_SIGNATURE. */
  verify(rawBody: Buffer | undefined, signature: string | undefined): StripeEvent {
    if (!signature) throw new AppError('INVALID_SIGNATURE', 'The Stripe-Signature header is missing');
    if (!rawBody) throw new AppError('INVALID_SIGNATURE', 'The body is not the JSON event Stripe signed');
    try {
      return this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret, SIGNATURE_TOLERANCE_SECONDS);
    } catch {
      throw new AppError('INVALID_SIGNATURE', 'The Stripe-Signature header is wrong or too old');
    }
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeError)) throw error;
      const status = error.statusCode ?? 0;
      const permanent = status >= 400 && status < 500 && status !== 409 && status !== 429;
      throw new ProviderError(permanent ? error.message : `${error.type} ${status || ''}`.trim(), permanent);
    }
  }
}
