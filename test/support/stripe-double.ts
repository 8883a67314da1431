import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export const STRIPE_WEBHOOK_SECRET = 'whsec_test_double';

/** One request the double got, as the SDK sent it. */
export interface StripeRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  params: Record<string, string>;
}

/** How the double answers the next requests: as Stripe would, or not. */
export type Behaviour =
  | { kind: 'ok' }
  /** An HTTP error with Stripe's error body (500: failing; 400, 402: refusing). */
  | { kind: 'status'; status: number; code?: string }
  /** Never answers: the SDK's timeout. */
  | { kind: 'hang' };

export interface DoubleIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'succeeded' | 'canceled' | 'processing';
  client_secret: string;
  metadata: Record<string, string>;
  latest_charge: string | null;
}

/**
 * Stripe's API as far as this API uses it, on 127.0.0.1, for the official SDK to talk to through
 * STRIPE_API_URL: PaymentIntents (create, read, cancel) and refunds, each kept as Stripe keeps
 * them, with Stripe's idempotency (a key sent again gets the first answer, and nothing is done
 * twice). Every request is kept in `requests`; `behave` makes the next ones fail, refuse or
 * hang. Events are made and signed as Stripe does (the SDK's own test-header helper) for the API's
 * webhook route.
 */
export class StripeDouble {
  readonly requests: StripeRequest[] = [];
  readonly intents = new Map<string, DoubleIntent>();
  readonly refunds = new Map<string, Stripe.Refund>();
  private readonly answered = new Map<string, { status: number; body: object }>();
  private readonly behaviours: { path: RegExp; behaviour: Behaviour; times: number }[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly stripe = new Stripe('sk_test_double');
  private server?: Server;
  private next = 1;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The environment of an API that takes payments through this double. */
  get env(): Record<string, string> {
    return {
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_double',
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_URL: this.url,
    };
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    const server = this.server;
    server?.closeAllConnections();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
  }

  /** The next `times` requests whose path matches `path` are answered as `behaviour` says. */
  behave(path: RegExp, behaviour: Behaviour, times = Infinity): void {
    this.behaviours.push({ path, behaviour, times });
  }

  /** Back to answering as Stripe would; requests left hanging are cut off. */
  recover(): void {
    this.behaviours.length = 0;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  /** The requests to `path` (a method and a path pattern). */
  requestsTo(method: string, path: RegExp): StripeRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  /** The intent the API made for order `orderId` (its latest). */
  intentOf(orderId: number): DoubleIntent {
    const intents = [...this.intents.values()].filter((i) => i.metadata.order_id === String(orderId));
    if (intents.length === 0) throw new Error(`no intent for order ${orderId}`);
    return intents[intents.length - 1];
  }

  /** The buyer pays the intent (all of it, or `amount`): it succeeds, and its `payment_intent.succeeded` event is made. */
  pay(intentId: string, amount?: number, currency?: string): Stripe.Event {
    const intent = this.intents.get(intentId)!;
    Object.assign(intent, {
      status: 'succeeded',
      amount_received: amount ?? intent.amount,
      currency: currency ?? intent.currency,
      latest_charge: `ch_${intent.id}`,
    });
    return this.event('payment_intent.succeeded', { ...intent });
  }

  /** The buyer's card is declined: its `payment_intent.payment_failed` event. */
  decline(intentId: string): Stripe.Event {
    const intent = this.intents.get(intentId)!;
    return this.event('payment_intent.payment_failed', { ...intent, status: 'requires_payment_method' });
  }

  /** The charge of a paid intent, `amountRefunded` of it refunded in all (by the API, or in Stripe's dashboard). */
  chargeRefunded(intentId: string, amountRefunded: number): Stripe.Event {
    const intent = this.intents.get(intentId)!;
    return this.event('charge.refunded', {
      id: `ch_${intent.id}`,
      object: 'charge',
      amount: intent.amount_received,
      amount_refunded: amountRefunded,
      currency: intent.currency,
      payment_intent: intent.id,
      refunded: amountRefunded === intent.amount_received,
    });
  }

  /** An event of `type` about `object`, as Stripe sends it. */
  event(type: string, object: object): Stripe.Event {
    return {
      id: `evt_${this.next++}_${randomBytes(4).toString('hex')}`,
      object: 'event',
      api_version: '2025-01-01',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    } as unknown as Stripe.Event;
  }

  /** The body and `Stripe-Signature` header of `event`, signed with the webhook secret (at `timestamp`, seconds). */
  signed(event: object, timestamp?: number): { body: string; signature: string } {
    const body = JSON.stringify(event);
    const signature = this.stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: STRIPE_WEBHOOK_SECRET,
      timestamp,
    });
    return { body, signature };
  }

  /** Sends `event` to the API at `apiUrl` as Stripe would: its answer's status. */
  async deliver(apiUrl: string, event: object): Promise<number> {
    const { body, signature } = this.signed(event);
    const res = await fetch(`${apiUrl}/api/v1/payments/stripe/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signature },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: StripeRequest = {
      method: req.method!,
      path: new URL(req.url!, 'http://double').pathname,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())),
    };
    this.requests.push(request);
    const rule = this.behaviours.find((b) => b.times > 0 && b.path.test(request.path));
    if (rule) {
      rule.times--;
      if (rule.behaviour.kind === 'hang') {
        this.hanging.add(res);
        return;
      }
      if (rule.behaviour.kind === 'status') {
        const { status, code } = rule.behaviour;
        const type = status >= 500 ? 'api_error' : status === 402 ? 'card_error' : 'invalid_request_error';
        return this.send(res, status, { error: { type, code, message: `The double answers ${status}` } });
      }
    }
    const key = request.idempotencyKey && `${request.method} ${request.path} ${request.idempotencyKey}`;
    const replay = key ? this.answered.get(key) : undefined;
    const answer = replay ?? this.answer(request);
    if (key && !replay) this.answered.set(key, answer);
    this.send(res, answer.status, answer.body);
  }

  /** What Stripe does with `request`. */
  private answer({ method, path, params }: StripeRequest): { status: number; body: object } {
    const metadata = Object.fromEntries(
      Object.entries(params)
        .filter(([name]) => name.startsWith('metadata['))
        .map(([name, value]) => [name.slice('metadata['.length, -1), value]),
    );
    if (method === 'POST' && path === '/v1/payment_intents') {
      const id = `pi_${this.next++}${randomBytes(6).toString('hex')}`;
      const intent: DoubleIntent = {
        id,
        object: 'payment_intent',
        amount: Number(params.amount),
        amount_received: 0,
        currency: params.currency,
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${randomBytes(8).toString('hex')}`,
        metadata,
        latest_charge: null,
      };
      this.intents.set(id, intent);
      return { status: 200, body: intent };
    }
    const intentPath = /^\/v1\/payment_intents\/([^/]+)(\/cancel)?$/.exec(path);
    const intent = intentPath && this.intents.get(intentPath[1]);
    if (intentPath && !intent) return notFound(path);
    if (intent && method === 'GET') return { status: 200, body: intent };
    if (intent && method === 'POST' && intentPath?.[2]) {
      if (intent.status === 'succeeded' || intent.status === 'processing') {
        const message = `This PaymentIntent's status is ${intent.status}; it cannot be canceled`;
        return {
          status: 400,
          body: { error: { type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message } },
        };
      }
      intent.status = 'canceled';
      return { status: 200, body: intent };
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const paid = this.intents.get(params.payment_intent);
      if (!paid || paid.status !== 'succeeded') return notFound(path);
      const refund = {
        id: `re_${this.next++}${randomBytes(6).toString('hex')}`,
        object: 'refund',
        amount: Number(params.amount),
        currency: paid.currency,
        payment_intent: paid.id,
        status: 'succeeded',
        metadata,
      } as unknown as Stripe.Refund;
      this.refunds.set(refund.id, refund);
      return { status: 200, body: refund };
    }
    return notFound(path);
  }

  private send(res: ServerResponse, status: number, body: object): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': `req_${this.next++}` });
    res.end(JSON.stringify(body));
  }
}

function notFound(path: string) {
  return {
    status: 404,
    body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such thing: ${path}` } },
  };
}
