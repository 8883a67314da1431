import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { privateAddressOf, publicLookup } from './webhook-url';

/** A delivery succeeds when the endpoint answers 2xx within this time. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** One message as it is sent: the same id, body and (re-timestamped) signature on every attempt. */
export interface OutgoingMessage {
  id: string;
  url: string;
  secret: string;
  body: string;
}

/** How much of an endpoint's reply is read before the connection is closed: only its status matters. */
export const MAX_REPLY_BYTES = 4096;

/** The longest reason for a failed attempt that is kept. */
export const MAX_ERROR_LENGTH = 500;

/** The endpoint's HTTP status, or why there was none. */
export type AttemptResult = { statusCode: number; error: null } | { statusCode: null; error: string };

/**
 * POSTs the message to its endpoint, signed as the Standard Webhooks specification says, on a
 * connection of its own; redirects are not followed. `guarded`: only to public addresses.
 */
export function send(message: OutgoingMessage, guarded: boolean): Promise<AttemptResult> {
  const url = new URL(message.url);
  const refused = guarded ? privateAddressOf(url) : null;
  if (refused) return Promise.resolve({ statusCode: null, error: `${refused} is not a public address` });
  const timestamp = new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'ticketing-webhooks/1.1',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(message.secret).sign(message.id, timestamp, message.body),
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers,
        agent: false,
        lookup: guarded ? publicLookup : undefined,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_REPLY_BYTES) response.destroy();
        });
        response.on('error', () => undefined);
        resolve({ statusCode: response.statusCode!, error: null });
      },
    );
    outgoing.on('error', (error) =>
      resolve({
        statusCode: null,
        error:
          error.name === 'AbortError'
            ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
            : error.message.slice(0, MAX_ERROR_LENGTH),
      }),
    );
    outgoing.end(message.body);
  });
}
