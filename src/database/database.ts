import { LoggerService } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/env';
import { startEmbeddedPostgres } from './embedded-postgres';
import { typeOrmOptions } from './typeorm-options';

const EMBEDDED_DATABASE = 'ticketing';

export interface Database {
  url: string;
  close(): Promise<void>;
}

/**
 * The database the API runs on. With DATABASE_URL: that server, migrated automatically outside
 * production. Without: an embedded PostgreSQL under EMBEDDED_POSTGRES_DIR, migrated, then given
 * its sample data by `seed`.
 */
export async function openDatabase(
  config: AppConfig,
  logger: LoggerService,
  seed: (db: DataSource) => Promise<void>,
): Promise<Database> {
  if (config.database.url) {
    if (config.env !== 'production') await withDataSource(config.database.url, (db) => db.runMigrations());
    return { url: config.database.url, close: () => Promise.resolve() };
  }
  logger.log(`DATABASE_URL is not set: starting embedded PostgreSQL in ${config.database.embeddedDir}`);
  const server = await startEmbeddedPostgres({
    dataDir: config.database.embeddedDir,
    persistent: true,
    onNotice: (message) => void logger.warn(message),
  });
  try {
    await createDatabaseIfMissing(server.url('postgres'), EMBEDDED_DATABASE);
    const url = server.url(EMBEDDED_DATABASE);
    await withDataSource(url, async (db) => {
      await db.runMigrations();
      await seed(db);
    });
    return { url, close: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Runs `work` on a short-lived connection, for migrations and seeds. */
export async function withDataSource<T>(url: string, work: (db: DataSource) => Promise<T>): Promise<T> {
  const db = await new DataSource(typeOrmOptions(url, { poolSize: 2 })).initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
