import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { MAX_REPLY_BYTES, send } from './webhook-sender';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** A receiver on 127.0.0.1 that answers `status` (and `location`), counting the requests it got. */
async function receiver(
  status: number,
  location?: string,
): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits++;
    request.resume();
    response.writeHead(status, location ? { location } : {}).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks`, hits: () => hits };
}

const message = (url: string) => ({ id: 'msg_1', url, secret: SECRET, body: '{"id":"msg_1"}' });

describe(send.name, () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((done) => s.close(done)))));
  const started = async (status: number, location?: string) => {
    const r = await receiver(status, location);
    servers.push(r.server);
    return r;
  };

  it('signs the body so that the Standard Webhooks verifier accepts it', async () => {
    let verified: unknown;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        verified = new Webhook(SECRET).verify(body, request.headers as Record<string, string>);
        response.writeHead(204).end();
      });
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    expect(await send(message(`http://127.0.0.1:${port}/`), false)).toEqual({ statusCode: 204, error: null });
    expect(verified).toEqual({ id: 'msg_1' });
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const target = await started(204);
    const redirecting = await started(307, target.url);
    expect(await send(message(redirecting.url), false)).toEqual({ statusCode: 307, error: null });
    expect(target.hits()).toBe(0);
  });

  it('refuses, when guarded, an address that is not public, sending nothing', async () => {
    const local = await started(204);
    const result = await send(message(local.url), true);
    expect(result).toEqual({ statusCode: null, error: '127.0.0.1 is not a public address' });
    expect(local.hits()).toBe(0);
  });

  it('refuses, when guarded, a host name that resolves to an address that is not public, sending nothing', async () => {
    const local = await started(204);
    const result = await send(message(local.url.replace('127.0.0.1', 'localhost')), true);
    expect(result.error).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is not public$/);
    expect(local.hits()).toBe(0);
  });

  it('reads no more than a few kilobytes of a reply that goes on and on, then closes the connection', async () => {
    let streamed = 0;
    let closed!: () => void;
    const connectionClosed = new Promise<void>((done) => (closed = done));
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = () => {
        while (!response.destroyed) {
          streamed += chunk.length;
          if (!response.write(chunk)) return;
        }
      };
      response.on('drain', more);
      response.on('close', closed);
      more();
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    expect(await send(message(`http://127.0.0.1:${port}/`), false)).toEqual({ statusCode: 200, error: null });
    await connectionClosed;
    expect(streamed).toBeGreaterThan(MAX_REPLY_BYTES);
  });

  it('says why when no one answers', async () => {
    const closed = await started(204);
    await new Promise((done) => closed.server.close(done));
    const result = await send(message(closed.url), false);
    expect(result.statusCode).toBeNull();
    expect(result.error).toContain('ECONNREFUSED');
  });
});
