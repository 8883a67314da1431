import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabaseIfMissing, withDataSource } from '../../src/database/database';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import globalTeardown from './global-teardown';
import { testDatabaseState, withDatabase } from './test-database';

/**
 * One fresh, migrated database per test run: on DATABASE_URL's server when set,
 * else on an embedded PostgreSQL in a throwaway directory. Its URL reaches the test
 * files as TEST_DATABASE_URL (the server's, to make scratch databases, as TEST_ADMIN_DATABASE_URL),
 * where each jest worker swaps it for a copy of its own (worker-database.ts); global-teardown drops
 * them all.
 */
export default async function globalSetup(): Promise<void> {
  const server = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: mkdtempSync(join(tmpdir(), 'ticketing-test-pg-')), persistent: false });
  const adminUrl = process.env.DATABASE_URL ?? server!.url('postgres');
  const name = `ticketing_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  testDatabaseState.set({ adminUrl, name, stopServer: server && (() => server.stop()) });
  try {
    await createDatabaseIfMissing(adminUrl, name);
    process.env.TEST_DATABASE_URL = withDatabase(adminUrl, name);
    process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
    await withDataSource(process.env.TEST_DATABASE_URL, (db) => db.runMigrations());
  } catch (error) {
    await globalTeardown();
    throw error;
  }
}
