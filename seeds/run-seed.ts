import 'reflect-metadata';
import { seed } from './seed';
import { loadDatabaseUrl, readEnvFile } from '../src/config/env';
import { withDataSource } from '../src/database/database';

async function main(): Promise<void> {
  readEnvFile();
  const url = loadDatabaseUrl();
  if (!url) throw new Error('Set DATABASE_URL to seed a database; `npm start` seeds its embedded database by itself.');
  await withDataSource(url, seed);
  console.log('Sample data loaded.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
