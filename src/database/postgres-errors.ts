import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

/** PostgreSQL refused a duplicate key, on `table` when given. */
export function isUniqueViolation(error: unknown, table?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { code, table: failedTable } = error.driverError as { code?: string; table?: string };
  return code === '23505' && (table === undefined || failedTable === table);
}

/** PostgreSQL refused a row breaking the check constraint `constraint`. */
export function isCheckViolation(error: unknown, constraint: string): boolean {
  return violated(error, '23514', constraint);
}

/** PostgreSQL refused a row breaking the foreign key `constraint`. */
export function isForeignKeyViolation(error: unknown, constraint: string): boolean {
  return violated(error, '23503', constraint);
}

function violated(error: unknown, sqlState: string, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { code, constraint: failed } = error.driverError as { code?: string; constraint?: string };
  return code === sqlState && failed === constraint;
}

/**
 * SQLSTATEs and socket errors that say the database cannot serve the request now, not that the
 * request is wrong: statement or lock timeout, server shutting down or starting, connection lost.
 */
const UNAVAILABLE_CODES = new Set([
  '57014', // query_canceled (statement_timeout)
  '55P03', // lock_not_available (lock_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);
/** What pg throws, without a code, when a connection ends or cannot be had in time. */
const UNAVAILABLE_MESSAGE =
  /^Connection terminated|^timeout exceeded when trying to connect|^Client has encountered a connection error/;

/** The database is down, restarting, unreachable or too slow: worth a 503 and a retry, not a 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  // TypeORM releases a transaction's connection when it fails; the transaction's next query or its
  // COMMIT throws one of these.
  if (error instanceof QueryRunnerProviderAlreadyReleasedError || error instanceof QueryRunnerAlreadyReleasedError) {
    return true;
  }
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  if (!(cause instanceof Error)) return false;
  const code = (cause as { code?: string }).code;
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) || UNAVAILABLE_MESSAGE.test(cause.message);
}
