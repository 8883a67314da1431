import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';

/** How long a key is remembered; after that the same key may start a new request. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
const PURGE_EVERY_MS = 3_600_000;

/**
 * Inserts each key, or, if it is already there, takes it over only when it has expired; returns
 * those claimed. The keys go in order of user and key, so concurrent claims of several keys wait
 * for one another in one order. A concurrent request holding one of the keys makes this wait until
 * that request's transaction ends, so concurrent retries are answered one after the other.
 * $1 users, $2 keys, $3 hashes, $4 TTL.
 */
const CLAIM = `
INSERT INTO idempotency_keys (user_id, key, request_hash)
SELECT * FROM unnest($1::integer[], $2::varchar[], $3::char(64)[]) ORDER BY 1, 2
ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response = NULL, created_at = now()
 WHERE idempotency_keys.created_at < now() - make_interval(hours => $4)
RETURNING user_id, key`;

/** The hash and response of keys claimed before. $1 users, $2 keys. */
const REMEMBERED_QUERY = `
SELECT k.user_id, k.key, k.request_hash, k.response
  FROM idempotency_keys k JOIN unnest($1::integer[], $2::varchar[]) AS r (user_id, key) USING (user_id, key)`;

/**
 * Stores the responses of claimed keys and deletes the others, so their requests may be retried.
 * $1 users, $2 keys, $3 responses (JSON), $4 users, $5 keys to forget.
 */
const SETTLE_STATEMENT = `
WITH forgotten AS (
  DELETE FROM idempotency_keys k USING unnest($4::integer[], $5::varchar[]) AS f (user_id, key)
   WHERE k.user_id = f.user_id AND k.key = f.key)
UPDATE idempotency_keys k SET response = r.response::json
  FROM unnest($1::integer[], $2::varchar[], $3::text[]) AS r (user_id, key, response)
 WHERE k.user_id = r.user_id AND k.key = r.key`;

/** A request sent with an `Idempotency-Key`: the caller, the key, and the hash of what it asks. */
export interface KeyedRequest {
  userId: number;
  key: string;
  hash: string;
}

/**
 * The request sent with `key` (none: undefined). `operation` (method and route) is part of the
 * hash: one key cannot be replayed on another route.
 */
export function keyedRequest(
  userId: number,
  key: string | undefined,
  operation: string,
  request: object,
): KeyedRequest | undefined {
  if (key === undefined) return undefined;
  const hash = createHash('sha256').update(operation).update(JSON.stringify(request)).digest('hex');
  return { userId, key, hash };
}

/** A request's answer: its response, or the error it gets; undefined when it was not answered. */
export type Answer = { value: unknown } | { error: Error } | undefined;

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
   * Without a key, `work` runs outside a transaction.
   */
  async once<T>(keyed: KeyedRequest | undefined, work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (keyed === undefined) return work(this.db.manager);
    return this.db.transaction(async (em) => {
      const [remembered] = await this.claim(em, [keyed]);
      if (remembered && 'error' in remembered) throw remembered.error;
      if (remembered) return remembered.value as T;
      const response = await work(em);
      await this.settle(em, [keyed], [{ value: response }]);
      return response;
    });
  }

  /**
   * `once` for `requests` together, in one transaction, each answered as `once` would in turn:
   * their keys are claimed in one statement; `work` answers those claimed and those sent without
   * a key (undefined: not answered); then each success is remembered and every other claimed key
   * forgotten, so its request may be retried. A request whose key one before it in `requests`
   * has is not answered. Without any key, `work` runs outside a transaction.
   */
  async onceEach<R extends { keyed?: KeyedRequest }>(
    requests: R[],
    work: (em: EntityManager, requests: R[]) => Promise<Answer[]>,
  ): Promise<Answer[]> {
    if (requests.every((request) => request.keyed === undefined)) return work(this.db.manager, requests);
    return this.db.transaction(async (em) => {
      const seen = new Set<string>();
      const claiming = requests.filter(
        ({ keyed }) => keyed !== undefined && !seen.has(id(keyed)) && seen.add(id(keyed)),
      );
      const answers = new Map<R, Answer>();
      const claimed = new Set<R>();
      const claims = await this.claim(
        em,
        claiming.map((r) => r.keyed!),
      );
      claims.forEach((claim, i) => (claim ? answers.set(claiming[i], claim) : claimed.add(claiming[i])));
      const working = requests.filter((r) => r.keyed === undefined || claimed.has(r));
      if (working.length > 0) (await work(em, working)).forEach((answer, i) => answers.set(working[i], answer));
      if (claimed.size > 0) {
        await this.settle(
          em,
          [...claimed].map((r) => r.keyed!),
          [...claimed].map((r) => answers.get(r)),
        );
      }
      return requests.map((r) => answers.get(r));
    });
  }

  /**
   * Claims `requests`' keys (no two alike); for each, undefined when claimed, else what a retry
   * gets: the response remembered for it, or IDEMPOTENCY_KEY_REUSED when it asked for another.
   */
  private async claim(em: EntityManager, requests: KeyedRequest[]): Promise<Answer[]> {
    const claimed: { user_id: number; key: string }[] = await em.query(CLAIM, [
      requests.map((r) => r.userId),
      requests.map((r) => r.key),
      requests.map((r) => r.hash),
      IDEMPOTENCY_KEY_TTL_HOURS,
    ]);
    const taken = new Set(claimed.map((row) => id({ userId: row.user_id, key: row.key })));
    const others = requests.filter((r) => !taken.has(id(r)));
    if (others.length === 0) return requests.map(() => undefined);
    const rows: { user_id: number; key: string; request_hash: string; response: unknown }[] = await em.query(
      REMEMBERED_QUERY,
      [others.map((r) => r.userId), others.map((r) => r.key)],
    );
    const remembered = new Map(rows.map((row) => [id({ userId: row.user_id, key: row.key }), row]));
    return requests.map((r) => {
      if (taken.has(id(r))) return undefined;
      const { request_hash, response } = remembered.get(id(r))!;
      if (request_hash === r.hash) return { value: response };
      return {
        error: new AppError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${r.key} was already used for another request`),
      };
    });
  }

  /** Stores the response of each claimed key answered with one; forgets the others. */
  private async settle(em: EntityManager, claimed: KeyedRequest[], answers: Answer[]): Promise<void> {
    const responses = answers.map((answer) => (answer && 'value' in answer ? JSON.stringify(answer.value) : null));
    const kept = claimed.filter((_, i) => responses[i] !== null);
    const forgotten = claimed.filter((_, i) => responses[i] === null);
    await em.query(SETTLE_STATEMENT, [
      kept.map((r) => r.userId),
      kept.map((r) => r.key),
      responses.filter((response) => response !== null),
      forgotten.map((r) => r.userId),
      forgotten.map((r) => r.key),
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

/** The caller and key of a keyed request, as one string. */
function id({ userId, key }: { userId: number; key: string }): string {
  return `${userId}/${key}`;
}
