import { dropRunDatabases, testDatabaseState } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const state = testDatabaseState.get();
  if (!state) return;
  try {
    await dropRunDatabases(state.adminUrl, state.name);
  } finally {
    await state.stopServer?.();
  }
}
