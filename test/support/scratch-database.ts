import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDatabaseIfMissing } from '../../src/database/database';
import { dropDatabase, withDatabase } from '../setup/test-database';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** An empty database of its own, for a test that must see nothing but what it creates. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL!;
  const name = `ticketing_scratch_${randomBytes(6).toString('hex')}`;
  await createDatabaseIfMissing(adminUrl, name);
  return { url: withDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

/**
 * A fresh copy of the run's migrated database, for a test whose app's background jobs (a payment
 * provider's refunds and intents) must see no other test file's rows, and leave none behind.
 */
export async function createMigratedScratchDatabase(): Promise<ScratchDatabase> {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL!;
  const worker = new URL(process.env.TEST_DATABASE_URL!).pathname.slice(1);
  const template = worker.replace(/_w\d+$/, '');
  const name = `${worker}_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(
      `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`,
    );
  } finally {
    await client.end();
  }
  return { url: withDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}
