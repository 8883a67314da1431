import { randomBytes } from 'node:crypto';
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
