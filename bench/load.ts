import autocannon from 'autocannon';

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
  /** A new JSON body for each request. */
  body?: () => object;
}

/** Drives an HTTP endpoint with autocannon for a fixed time. */
export async function measureHttp(load: HttpLoad): Promise<Measurement> {
  const body = load.body;
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    ...(load.amount ? { amount: load.amount } : { duration: load.seconds }),
    method: load.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...load.headers },
    requests: body ? [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }] : undefined,
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count ?? 0]),
  );
  if (result.errors > 0) statuses.connection_errors = result.errors;
  const rate = (count: number) => count / result.duration;
  return {
    rate: rate(result['2xx']),
    answered: rate(result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
  };
}

/**
 * Runs `operation` in `concurrency` loops for a fixed time, or until it has run `amount` times,
 * timing each call; every call counts.
 */
export async function measureLoop(
  concurrency: number,
  until: { seconds: number } | { amount: number },
  operation: () => Promise<void>,
): Promise<Measurement> {
  const latencies: number[] = [];
  const deadline = 'seconds' in until ? Date.now() + until.seconds * 1000 : Infinity;
  let left = 'amount' in until ? until.amount : Infinity;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline && left-- > 0) {
        const start = process.hrtime.bigint();
        await operation();
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const rate = latencies.length / ((Date.now() - started) / 1000);
  return { rate, answered: rate, p50: at(0.5), p99: at(0.99), statuses: {} };
}
