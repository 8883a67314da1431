import { dropDatabase, testDatabaseState } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const state = testDatabaseState.get();
  if (!state) return;
  try {
    await dropDatabase(state.adminUrl, state.name);
  } finally {
    await state.stopServer?.();
  }
}
