import { QueryFailedError } from 'typeorm';

/** PostgreSQL refused a duplicate key, on `table` when given. */
export function isUniqueViolation(error: unknown, table?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { code, table: failedTable } = error.driverError as { code?: string; table?: string };
  return code === '23505' && (table === undefined || failedTable === table);
}
