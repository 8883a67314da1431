import { Client } from 'pg';
import { withDatabase, workerDatabase } from './test-database';

/**
 * Each jest worker gets its own copy of the run's migrated database, made on its first test file:
 * a background job of one worker's app (the hold sweeper, which ends any due hold of any event)
 * must never act on another worker's rows while both run.
 */
beforeAll(async () => {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL!;
  const template = new URL(process.env.TEST_DATABASE_URL!).pathname.slice(1);
  const name = workerDatabase(template, process.env.JEST_WORKER_ID ?? '1');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`,
      );
    }
  } finally {
    await client.end();
  }
  process.env.TEST_DATABASE_URL = withDatabase(adminUrl, name);
});
