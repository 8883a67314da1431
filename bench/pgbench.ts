import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SALE_STATEMENT } from '../src/modules/seats/sale.statement';
import { Measurement } from './load';

export interface PgbenchLoad {
  url: string;
  connections: number;
  /** The sale each transaction makes: the leanest statement for the work, or the API's own. */
  statement: 'lean' | 'api';
  /** The events booked on, one picked at random for each booking: consecutive ids. */
  events: number[];
  /** The buyer of every booking. */
  userId: number;
  /** Run for this long, or until each connection has booked `transactions` times. */
  seconds?: number;
  transactions?: number;
}

/** A ticket code suffix (see generateTicketSuffix), drawn in the database: 8 of A–Z0–9. */
const SUFFIX = `(SELECT string_agg(substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 1 + floor(random() * 36)::int, 1), '')
   FROM generate_series(1, 8))`;

/**
 * The leanest one statement we know that does a sale's work: one ticket of the event's default
 * type, when the event is open and has the seat (the event's row lock, then the type's), both
 * rows' counters, the booking and its ticket. No webhook endpoint is subscribed in the bench, so
 * the API's sale writes no outbox row either.
 */
const LEAN_SALE = `
WITH sold AS (
  UPDATE events e
     SET total_tickets_sold = e.total_tickets_sold + 1, total_revenue = e.total_revenue + t.price,
         total_bookings = e.total_bookings + 1, updated_at = now()
    FROM ticket_types t
   WHERE e.id = :event AND t.event_id = e.id AND t.is_default AND e.status = 'active' AND e.date_time > now()
     AND e.capacity - e.total_tickets_sold - e.total_tickets_held >= 1
     AND coalesce(t.quota - t.total_tickets_sold - t.total_tickets_held, 1) >= 1
  RETURNING e.id AS event_id, t.id AS ticket_type_id, t.price
), typed AS (
  UPDATE ticket_types t SET total_tickets_sold = t.total_tickets_sold + 1, total_revenue = t.total_revenue + sold.price,
         updated_at = now()
    FROM sold WHERE t.id = sold.ticket_type_id
), booking AS (
  INSERT INTO bookings (user_id, event_id, ticket_type_id, quantity, total_amount)
  SELECT :user, event_id, ticket_type_id, 1, price FROM sold
  RETURNING id, booking_date
)
INSERT INTO tickets (booking_id, ticket_code)
SELECT id, 'TKT-' || to_char(booking_date AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || ${SUFFIX} FROM booking
RETURNING id, booking_id, ticket_code`;

/**
 * The API's SALE_STATEMENT for the same sale (a batch of one), its parameters written in: what
 * the API's statement costs beside the lean one.
 */
function apiSale(): string {
  const values: Record<string, string> = {
    1: `ARRAY[:event::int]`,
    2: `'{1}'`,
    3: `ARRAY[:user::int]`,
    4: `'{NULL}'`,
    5: `'{1}'`,
    6: `ARRAY[${SUFFIX}]`,
  };
  return (SALE_STATEMENT as unknown as { text: string }).text.replace(/\$(\d+)/g, (_, n: string) => {
    if (!values[n]) throw new Error(`no pgbench value for $${n}`);
    return values[n];
  });
}

/**
 * The database's own limit for a sale: pgbench, PostgreSQL's C client, makes one booking of one
 * ticket per transaction (one statement, one round trip), prepared and planned as the API plans
 * (generic plans), on as many connections as the API side has buyers. A refusal (409 on the API
 * side) is a transaction too: for the API it is an answer. Needs `pgbench` on the PATH (Debian:
 * `apt-get install postgresql-client`).
 */
export async function measurePgbench(load: PgbenchLoad): Promise<Measurement> {
  const [first] = load.events;
  const last = load.events[load.events.length - 1];
  if (last - first + 1 !== load.events.length) throw new Error('pgbench books on consecutive event ids only');
  const dir = mkdtempSync(join(tmpdir(), 'ticketing-pgbench-'));
  try {
    const script = join(dir, 'sale.sql');
    const sale = load.statement === 'lean' ? LEAN_SALE : apiSale();
    writeFileSync(script, `\\set event random(${first}, ${last})\n\\set user ${load.userId}\n${forPgbench(sale)};\n`);
    const output = await pgbench(dir, [
      '--no-vacuum',
      '--protocol=prepared',
      `--client=${load.connections}`,
      '--jobs=2',
      load.transactions ? `--transactions=${load.transactions}` : `--time=${load.seconds}`,
      '--log',
      `--log-prefix=${join(dir, 'log')}`,
      `--file=${script}`,
      load.url,
    ]);
    const tps = /^tps = ([\d.]+)/m.exec(output);
    if (!tps) throw new Error(`pgbench reported no rate:\n${output}`);
    const latencies = readdirSync(dir)
      .filter((name) => name.startsWith('log'))
      .flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    const rate = Number(tps[1]);
    return { rate, answered: rate, p50: at(0.5), p99: at(0.99), statuses: {} };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `sql` as a line of a pgbench script: pgbench ends a command at the end of a line, and takes
 * every `:name` for a variable, even in a string literal (the time format of isoDateTime), so a
 * literal's colons are spelt chr(58), which PostgreSQL folds back when it plans.
 */
function forPgbench(sql: string): string {
  return sql.replace(/'[^']*'/g, (literal) => literal.replaceAll(':', "' || chr(58) || '")).replace(/\s+/g, ' ');
}

/** Runs pgbench with `args`: its output, or a failure with it when a client aborted. */
function pgbench(cwd: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('pgbench', args, {
      cwd,
      env: { ...process.env, PGOPTIONS: '-c plan_cache_mode=force_generic_plan' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) =>
      fail(new Error(`pgbench could not start (apt-get install postgresql-client): ${error.message}`)),
    );
    child.on('close', (code) => (code === 0 ? done(output) : fail(new Error(`pgbench failed (${code}):\n${output}`))));
  });
}
