import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Metrics } from '../../metrics/metrics.service';
import { WebhookEventType } from './webhook-event-type';

/**
 * The CTEs that record webhook messages within the statement that makes the change they report,
 * so that a rolled-back change leaves none and a committed one always has them: one message per
 * row of `source` (a SELECT of `type`, `resource` and `data`, the object as the API returns it)
 * whose type an active endpoint subscribes to, and one pending delivery per such endpoint. The
 * CTE `messages` returns their ids. Without a subscribed endpoint nothing is written, and `data`
 * is never built.
 */
export function outboxMessages(source: string): string {
  return `messages AS (
  INSERT INTO webhook_messages (id, type, resource, data)
  SELECT gen_random_uuid(), change.type, change.resource, change.data FROM (${source}) change
   WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.active AND change.type = ANY (e.events))
  RETURNING id, type, resource
), deliveries AS (
  INSERT INTO webhook_deliveries (message_id, endpoint_id, resource)
  SELECT messages.id, e.id, messages.resource
    FROM messages JOIN webhook_endpoints e ON e.active AND messages.type = ANY (e.events)
)`;
}

/** `data`'s date-time column `column`, as the API writes a Date: `2026-12-25T19:00:00.000Z`. */
export function isoDateTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

const RECORD_STATEMENT = `
WITH ${outboxMessages(`SELECT $1::text AS type, r.resource, r.data
  FROM unnest($2::text[], $3::json[]) AS r(resource, data)`)}
SELECT count(*)::int AS messages FROM messages`;

/** One changed object: `type/id` and what the API returns for it. */
export interface Change {
  resource: string;
  data: object;
}

/** Records webhook messages of changes made in TypeScript, in their transaction. */
@Injectable()
export class Outbox {
  constructor(private readonly metrics: Metrics) {}

  /** Records a `type` message for each change, in the transaction of `em`, for the endpoints subscribed to it. */
  async record(em: EntityManager, type: WebhookEventType, changes: Change[]): Promise<void> {
    if (changes.length === 0) return;
    const [{ messages }]: { messages: number }[] = await em.query(RECORD_STATEMENT, [
      type,
      changes.map((change) => change.resource),
      changes.map((change) => JSON.stringify(change.data)),
    ]);
    this.metrics.webhookMessages.inc(messages);
  }
}
