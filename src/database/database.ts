import { LoggerService } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/env';
import { startEmbeddedPostgres } from './embedded-postgres';
import { typeOrmOptions } from './typeorm-options';

const EMBEDDED_DATABASE = 'ticketing';
/** SQLSTATEs of a CREATE DATABASE that another process won: before it, or while it was committing. */
const DATABASE_EXISTS = new Set(['42P04', '23505']);

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
    if (config.env !== 'production') await withDataSource(config.database.url, migrate);
    return { url: config.database.url, close: () => Promise.resolve() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: config.database.embeddedDir,
    persistent: true,
    onNotice: (message) => void logger.warn(message),
  });
  logger.log(
    `DATABASE_URL is not set: ${server.joined ? 'joined the embedded PostgreSQL another API process started' : 'started embedded PostgreSQL'} ` +
      `in ${server.dataDir} on port ${server.port}; it stops when the last API process using it stops`,
  );
  try {
    await createDatabaseIfMissing(server.url('postgres'), EMBEDDED_DATABASE);
    const url = server.url(EMBEDDED_DATABASE);
    await withDataSource(url, async (db) => {
      await migrate(db);
      await seed(db);
    });
    return { url, close: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Runs the pending migrations; API processes starting at once take turns. */
async function migrate(db: DataSource): Promise<void> {
  const runner = db.createQueryRunner();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('migrations'))`);
    await db.runMigrations();
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('migrations'))`).finally(() => runner.release());
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
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (!DATABASE_EXISTS.has(error.code ?? '')) throw error;
      });
    }
  } finally {
    await client.end();
  }
}
