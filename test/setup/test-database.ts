import { Client } from 'pg';

interface State {
  adminUrl: string;
  name: string;
  stopServer?: () => Promise<void>;
}

/** Shared by global-setup and global-teardown, which jest runs in the same process. */
export const testDatabaseState = {
  set(state: State) {
    (globalThis as { __testDatabase?: State }).__testDatabase = state;
  },
  get(): State | undefined {
    return (globalThis as { __testDatabase?: State }).__testDatabase;
  },
};

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The copy of the run's database `name` that jest worker `worker` tests on (see worker-database.ts). */
export function workerDatabase(name: string, worker: string): string {
  return `${name}_w${worker}`;
}

/** Drops the run's database and the jest workers' copies of it. */
export async function dropRunDatabases(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  const { rows } = await client
    .query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1 || '_w')`, [name])
    .finally(() => client.end());
  for (const { datname } of rows) await dropDatabase(adminUrl, datname);
  await dropDatabase(adminUrl, name);
}
