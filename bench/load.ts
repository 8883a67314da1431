import autocannon from 'autocannon';
import { execFile } from 'node:child_process';

export interface Measurement {
  /** Successful (2xx) operations per second. */
  rate: number;
  /** Answers of any status per second. */
  answered: number;
  p50: number;
  p99: number;
  /** Responses by status, for the checks. */
  statuses: Record<string, number>;
}

export interface HttpLoad {
  url: string;
  connections: number;
  /** Run for this long, or until `amount` requests have been answered. */
  seconds?: number;
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Headers of its own for each request, beside `headers`. */
  headersEach?: () => Record<string, string>;
  /** A new JSON body for each request. */
  body?: () => object;
  /** At most this many requests a second, over all connections. */
  overallRate?: number;
}

/** autocannon's options for `load`. */
function optionsOf(load: HttpLoad): autocannon.Options {
  const { body, headersEach } = load;
  return {
    url: load.url,
    connections: load.connections,
    ...(load.amount ? { amount: load.amount } : { duration: load.seconds }),
    method: load.method ?? 'GET',
    overallRate: load.overallRate,
    headers: { 'content-type': 'application/json', ...load.headers },
    requests:
      body || headersEach
        ? [
            {
              setupRequest: (request) => ({
                ...request,
                ...(headersEach && { headers: { ...request.headers, ...headersEach() } }),
                ...(body && { body: JSON.stringify(body()) }),
              }),
            },
          ]
        : undefined,
  };
}

/** Drives an HTTP endpoint with autocannon for a fixed time, or a fixed number of requests. */
export async function measureHttp(load: HttpLoad): Promise<Measurement> {
  const started = performance.now();
  let answered = started;
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const run = autocannon(optionsOf(load), (error: Error | null, finished) => (error ? fail(error) : done(finished)));
    run.on('response', () => (answered = performance.now()));
  });
  // autocannon ends a run on its once-a-second tick, so a run of `amount` requests is timed to
  // its last answer here, or its rate would be rounded down to the amount over whole seconds.
  return measurement(result, load.amount ? (answered - started) / 1000 : result.duration);
}

/**
 * GETs `url` for `seconds` from a process of its own (autocannon's command): a flood beside a
 * client measured in this process, which would otherwise wait on this process's event loop for
 * the flood's own answers to be read, and count that wait as the server's.
 */
export function measureHttpElsewhere(
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string>,
): Promise<Measurement> {
  const args = [require.resolve('autocannon/autocannon'), '--json', '--no-progress'];
  args.push('--connections', String(connections), '--duration', String(seconds));
  for (const [name, value] of Object.entries(headers)) args.push('--headers', `${name}=${value}`);
  return new Promise((done, fail) =>
    execFile(process.execPath, [...args, url], { maxBuffer: 16 * 2 ** 20 }, (error, stdout) =>
      error
        ? fail(new Error(`autocannon failed: ${error.message}`))
        : done(measurement(JSON.parse(stdout) as autocannon.Result)),
    ),
  );
}

/** A sustained load's first and last `window` seconds: a slow decline shows as a ratio below 1. */
export interface Sustained {
  first: Measurement;
  last: Measurement;
}

/**
 * Runs `load` for its `seconds`, counting 2xx answers per second: the rates of the first and the
 * last `window` seconds (latencies over the whole run).
 */
export async function measureSustained(load: HttpLoad & { seconds: number }, window = 5): Promise<Sustained> {
  const perSecond = new Array<number>(load.seconds + 1).fill(0);
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const run = autocannon(optionsOf(load), (error: Error | null, finished) => (error ? fail(error) : done(finished)));
    run.on('response', (_client: unknown, status: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) perSecond[Math.floor((performance.now() - started) / 1000)]++;
    });
  });
  const rate = (from: number) => perSecond.slice(from, from + window).reduce((sum, n) => sum + n, 0) / window;
  const over = (from: number): Measurement => ({
    rate: rate(from),
    answered: rate(from),
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
  });
  return { first: over(0), last: over(load.seconds - window) };
}

export interface CheckoutLoad {
  apiUrl: string;
  eventId: number;
  connections: number;
  seconds: number;
  /** Buyers' bearer tokens, at least one per connection: a buyer has one active hold per event. */
  tokens: string[];
  /** A second ticket type of the event: each purchase is then an order of one seat of the default type and one of this. */
  orderWith?: number;
  /** A promo code of the event each order sends. */
  promoCode?: string;
}

/**
 * Purchases through checkout with autocannon: on each connection, `POST /holds` (or `POST
 * /orders` of two types) and then its confirmation, each purchase by a buyer free at that moment.
 * `rate` counts purchases (confirmations) per second; latencies are per request.
 */
export async function measureCheckout(load: CheckoutLoad): Promise<Measurement> {
  const free = [...load.tokens];
  let purchases = 0;
  type Purchase = { token?: string; hold?: number };
  const resource = load.orderWith === undefined ? 'holds' : 'orders';
  const purchase =
    load.orderWith === undefined
      ? { event_id: load.eventId, quantity: 1 }
      : {
          event_id: load.eventId,
          lines: [{ quantity: 1 }, { ticket_type_id: load.orderWith, quantity: 1 }],
          promo_code: load.promoCode,
        };
  const auth = (request: autocannon.Request, { token }: Purchase) => ({
    ...request,
    headers: { ...request.headers, authorization: `Bearer ${token}` },
  });
  const result = await autocannon({
    url: load.apiUrl,
    connections: load.connections,
    duration: load.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        path: load.orderWith === undefined ? '/api/v1/holds' : '/api/v1/orders',
        setupRequest: (request, context: Purchase) => {
          context.token = free.pop();
          return { ...auth(request, context), body: JSON.stringify(purchase) };
        },
        onResponse: (status, body, context: Purchase) => {
          if (status === 201) context.hold = (JSON.parse(body) as { id: number }).id;
          else free.push(context.token!);
        },
      },
      {
        setupRequest: (request, context: Purchase) =>
          context.hold === undefined
            ? null!
            : { ...auth(request, context), path: `/api/v1/${resource}/${context.hold}/confirm` },
        onResponse: (status, _body, context: Purchase) => {
          if (status === 201) purchases++;
          free.push(context.token!);
        },
      },
    ],
  });
  return { ...measurement(result), rate: purchases / result.duration };
}

export interface PaidOrderLoad {
  apiUrl: string;
  eventId: number;
  connections: number;
  seconds: number;
  /** Buyers' bearer tokens, at least one per connection: a buyer has one pending order per event. */
  tokens: string[];
  /** Stripe's signed `payment_intent.succeeded` callback for the intent `intentId`: its body and `Stripe-Signature`. */
  succeeded: (intentId: string) => { body: string; signature: string };
}

/**
 * Purchases paid through Stripe with autocannon: on each connection, `POST /orders` of one seat
 * (the API makes its PaymentIntent at the Stripe double) and then Stripe's callback that the
 * payment succeeded, which pays the order; each purchase by a buyer free at that moment. `rate`
 * counts orders paid (callbacks answered 200) per second; latencies are per request.
 */
export async function measurePaidOrders(load: PaidOrderLoad): Promise<Measurement> {
  const free = [...load.tokens];
  let paid = 0;
  type Purchase = { token?: string; intent?: string };
  const result = await autocannon({
    url: load.apiUrl,
    connections: load.connections,
    duration: load.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        path: '/api/v1/orders',
        setupRequest: (request, context: Purchase) => {
          context.token = free.pop();
          context.intent = undefined;
          return {
            ...request,
            headers: { ...request.headers, authorization: `Bearer ${context.token}` },
            body: JSON.stringify({ event_id: load.eventId, lines: [{ quantity: 1 }] }),
          };
        },
        onResponse: (status, body, context: Purchase) => {
          if (status === 201)
            context.intent = (JSON.parse(body) as { payment: { reference: string } }).payment.reference;
          else free.push(context.token!);
        },
      },
      {
        setupRequest: (request, context: Purchase) => {
          if (context.intent === undefined) return null!;
          const { body, signature } = load.succeeded(context.intent);
          return {
            ...request,
            path: '/api/v1/payments/stripe/webhook',
            headers: { ...request.headers, 'stripe-signature': signature },
            body,
          };
        },
        onResponse: (status, _body, context: Purchase) => {
          if (status === 200) paid++;
          free.push(context.token!);
        },
      },
    ],
  });
  return { ...measurement(result), rate: paid / result.duration };
}

function measurement(result: autocannon.Result, seconds = result.duration): Measurement {
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count ?? 0]),
  );
  if (result.errors > 0) statuses.connection_errors = result.errors;
  const rate = (count: number) => count / seconds;
  return {
    rate: rate(result['2xx']),
    answered: rate(result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
  };
}
