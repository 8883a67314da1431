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
