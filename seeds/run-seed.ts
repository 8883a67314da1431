import 'reflect-metadata';
import { seed } from './seed';
import { loadConfig } from '../src/config/env';
import { withDataSource } from '../src/database/database';

async function main(): Promise<void> {
  const { database } = loadConfig();
  if (!database.url) {
    throw new Error('Set DATABASE_URL to seed a database; `npm start` seeds its embedded database by itself.');
  }
  await withDataSource(database.url, seed);
  console.log('Sample data loaded.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
