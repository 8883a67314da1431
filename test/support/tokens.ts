import { createHmac } from 'node:crypto';
import { TEST_JWT_SECRET } from './test-app';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token signed with `secret` (the test apps' by default), as a leaked key, a stale client or an attacker might sign it. */
export function forgeToken(payload: object, secret = TEST_JWT_SECRET, header: object = { alg: 'HS256', typ: 'JWT' }) {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
