import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';

/** How long a key is remembered; after that the same key may start a new request. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
const PURGE_EVERY_MS = 3_600_000;

/**
 * Inserts the key, or, if it is already there, takes it over only when it has expired. A
 * concurrent request holding the same key makes this wait until that request's transaction
 * ends, so concurrent retries are answered one after the other. $1 user, $2 key, $3 hash, $4 TTL.
 */
const CLAIM = `
INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response = NULL, created_at = now()
 WHERE idempotency_keys.created_at < now() - make_interval(hours => $4)
RETURNING 1`;

/** Remembers the responses to requests sent with an `Idempotency-Key`, per caller. */
@Injectable()
export class IdempotencyKeys implements OnApplicationBootstrap, OnApplicationShutdown {
  private purging?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Runs `work` once per caller and key, in one transaction with the key's claim: a retry of the
   * same request (`operation` and `request` alike) gets the response `work` gave the first time,
   * and a retry waits for a concurrent one to finish. The same key with another request is
   * refused. A failure remembers nothing, so the request may be retried with the same key.
   */
  async once<T>(
    userId: number,
    key: string,
    operation: string,
    request: object,
    work: (em: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (em) => {
      const remembered = await this.claim(em, userId, key, requestHash(operation, request));
      if (remembered) return remembered as T;
      const response = await work(em);
      await this.remember(em, userId, key, response);
      return response;
    });
  }

  /** Claims `key` for the request hashed `hash` and returns undefined, or the response remembered for it. */
  private async claim(em: EntityManager, userId: number, key: string, hash: string): Promise<unknown> {
    const claimed: unknown[] = await em.query(CLAIM, [userId, key, hash, IDEMPOTENCY_KEY_TTL_HOURS]);
    if (claimed.length > 0) return undefined;
    const [{ request_hash, response }]: { request_hash: string; response: unknown }[] = await em.query(
      'SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    if (request_hash !== hash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was already used for another request`);
    }
    return response;
  }

  /** Stores the response of the request that claimed `key`, in the same transaction. */
  private async remember(em: EntityManager, userId: number, key: string, response: unknown): Promise<void> {
    await em.query('UPDATE idempotency_keys SET response = $3::json WHERE user_id = $1 AND key = $2', [
      userId,
      key,
      JSON.stringify(response),
    ]);
  }

  /** Forgets keys past their time to live. */
  async purgeExpired(): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [
      IDEMPOTENCY_KEY_TTL_HOURS,
    ]);
  }

  onApplicationBootstrap(): void {
    this.purging = setInterval(() => void this.purgeExpired().catch(() => undefined), PURGE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purging);
  }
}

/** `operation` (method and route) is part of the hash: one key cannot be replayed on another route. */
function requestHash(operation: string, request: object): string {
  return createHash('sha256').update(operation).update(JSON.stringify(request)).digest('hex');
}
