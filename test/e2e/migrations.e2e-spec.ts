import { spawnSync } from 'node:child_process';
import { withDataSource } from '../../src/database/database';
import { migrations } from '../../src/database/typeorm-options';
import { seed } from '../../seeds/seed';
import { eventsWithWrongCounters, ticketTypesWithWrongCounters } from '../support/counters';
import { createScratchDatabase, ScratchDatabase } from '../support/scratch-database';

/** `npm run migration:<command>` without the build, in `env` beside the test process's, no DATABASE_URL or .env. */
function migrationCli(env: Record<string, string>, command: string, ...args: string[]) {
  const { JWT_SECRET: _unset, DATABASE_URL: _external, ...inherited } = process.env;
  return spawnSync(process.execPath, ['dist/src/database/migration-cli.js', command, ...args], {
    encoding: 'utf8',
    env: { ...inherited, ENV_FILE: '/dev/null', ...env },
  });
}

/**
 * The TypeORM CLI on the built data source, as `npm run migration:*` runs it, in an environment
 * set for the API in production but for DATABASE_URL, which the CLI must not trip on.
 */
function typeorm(url: string, command: string, ...args: string[]) {
  const run = migrationCli(
    { NODE_ENV: 'production', CORS_ORIGINS: 'localhost:5173', PORT: 'abc', DATABASE_URL: url },
    command,
    ...args,
  );
  if (run.status !== 0)
    throw new Error(`migration:${command} ${args.join(' ')} exited with ${run.status}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

function query(url: string, sql: string): Promise<Record<string, string>[]> {
  return withDataSource(url, (db) => db.query(sql));
}

/** Columns, constraints, indexes and types of the public schema, but the migrations log. */
function schemaOf(url: string) {
  return query(
    url,
    `
      SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
             || ' ' || coalesce(column_default, '') AS definition
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'migrations'
      UNION ALL
      SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 'migrations'::regclass
      UNION ALL
      SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'migrations'
      UNION ALL
      SELECT 'type', typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'e'
      ORDER BY 1, 2`,
  );
}

describe('npm run migration:* when something it needs is missing', () => {
  it('says in one line to set DATABASE_URL when it is not set', () => {
    const run = migrationCli({}, 'run');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Set DATABASE_URL \(postgres:\/\/.*\) to run migrations; .*\n$/);
    expect(run.stdout).toBe('');
  });

  it('says in one line how to name a migration to generate', () => {
    const run = migrationCli({ DATABASE_URL: 'postgres://ticketing:secret@127.0.0.1:5432/ticketing' }, 'generate');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('Name the migration: npm run migration:generate -- migrations/<name>\n');
  });
});

describe('Migrations through the TypeORM CLI (npm run migration:run, migration:revert, migration:generate)', () => {
  jest.setTimeout(60_000);
  let scratch: ScratchDatabase;
  let migrated: Record<string, string>[];
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    typeorm(scratch.url, 'run');
    migrated = await schemaOf(scratch.url);
  });
  afterAll(() => scratch.drop());

  it('creates the tables of every module on an empty database', async () => {
    const tables = await query(scratch.url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    expect(tables.map((row) => row.tablename).sort()).toEqual(
      [
        'bookings',
        'events',
        'holds',
        'idempotency_keys',
        'installation',
        'migrations',
        'orders',
        'payments',
        'promo_codes',
        'provider_events',
        'refunds',
        'ticket_types',
        'tickets',
        'users',
        'waitlist_entries',
        'webhook_deliveries',
        'webhook_endpoints',
        'webhook_messages',
      ].sort(),
    );
  });

  it('has nothing left to generate: the entities and the migrations agree', () => {
    expect(() => typeorm(scratch.url, 'generate', '--check', 'migrations/unexpected')).not.toThrow();
  });

  it('reverts every migration down to an empty schema, then applies them again to the same schema', async () => {
    for (let i = 0; i < migrations.length; i++) typeorm(scratch.url, 'revert');
    expect(await schemaOf(scratch.url)).toEqual([]);

    typeorm(scratch.url, 'run');
    expect(await schemaOf(scratch.url)).toEqual(migrated);
  });
});

/**
 * The ticket types migration on a database holding v1.0 data: the sample data, then the
 * migration reverted (so bookings and a hold without types), then applied, reverted and applied again.
 */
describe('The ticket types migration on the sample data', () => {
  jest.setTimeout(60_000);
  let scratch: ScratchDatabase;
  let bookingsBefore: Record<string, string>[];
  const bookings = (url: string) =>
    query(url, 'SELECT id, event_id, quantity, total_amount, status FROM bookings ORDER BY id');
  /** Events without exactly one default type at their price, or whose bookings and holds point elsewhere. */
  const untyped = (url: string) =>
    query(
      url,
      `SELECT e.id FROM events e
        WHERE (SELECT count(*) FROM ticket_types t
                WHERE t.event_id = e.id AND t.is_default AND t.name = 'General admission' AND t.price = e.price) <> 1
           OR EXISTS (SELECT 1 FROM bookings b JOIN ticket_types t ON t.id = b.ticket_type_id
                       WHERE b.event_id = e.id AND (t.event_id <> e.id OR NOT t.is_default))
           OR EXISTS (SELECT 1 FROM holds h JOIN ticket_types t ON t.id = h.ticket_type_id
                       WHERE h.event_id = e.id AND (t.event_id <> e.id OR NOT t.is_default))`,
    );
  /** Reverts the ticket types migration and those after it. */
  const revertTicketTypes = () => {
    const after = migrations.length - migrations.findIndex((migration) => migration.name.startsWith('TicketTypes'));
    for (let i = 0; i < after; i++) typeorm(scratch.url, 'revert');
  };
  const countersAreRight = async (url: string) => {
    expect(await withDataSource(url, (db) => ticketTypesWithWrongCounters(db))).toEqual([]);
    expect(await withDataSource(url, (db) => eventsWithWrongCounters(db))).toEqual([]);
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    typeorm(scratch.url, 'run');
    await withDataSource(scratch.url, seed);
    revertTicketTypes();
    await query(
      scratch.url,
      `WITH held AS (
         INSERT INTO holds (user_id, event_id, quantity, total_amount, expires_at)
         SELECT u.id, e.id, 2, e.price * 2, now() + interval '10 minutes'
           FROM users u, events e WHERE u.phone = '0812345674' AND e.title = 'Tech Summit Asia'
         RETURNING event_id, quantity)
       UPDATE events SET total_tickets_held = total_tickets_held + held.quantity FROM held WHERE events.id = held.event_id`,
    );
    bookingsBefore = await bookings(scratch.url);
  });
  afterAll(() => scratch.drop());

  it('gives every event its default type at its price, and points its bookings and holds at it', async () => {
    typeorm(scratch.url, 'run');
    expect(await untyped(scratch.url)).toEqual([]);
    expect(await bookings(scratch.url)).toEqual(bookingsBefore);
    await countersAreRight(scratch.url);
  });

  it('reverts to the bookings and holds as they were, then applies again to the same result', async () => {
    revertTicketTypes();
    expect(await bookings(scratch.url)).toEqual(bookingsBefore);
    expect(await withDataSource(scratch.url, (db) => eventsWithWrongCounters(db))).toEqual([]);
    typeorm(scratch.url, 'run');
    expect(await untyped(scratch.url)).toEqual([]);
    await countersAreRight(scratch.url);
  });
});
