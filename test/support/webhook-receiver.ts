import { createServer, IncomingMessage, Server } from 'node:http';
import { sleep } from './storm';

/** One POST a receiver got: the Standard Webhooks headers, the raw body and its parse. */
export interface Received {
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
  body: string;
  message: { id: string; type: string; created_at: string; data: Record<string, unknown> & { id: number } };
  /** When it arrived, in ms since the epoch. */
  at: number;
}

/**
 * A real HTTP server taking webhook messages on 127.0.0.1, as a customer's endpoint would. Every
 * request is kept in `received`, whatever `answer` (by default 204) tells it to reply.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (request: Received) => number = () => 204;
  private server?: Server;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  listen(): Promise<void> {
    const server = createServer((request, response) => {
      void text(request).then((body) => {
        const received = {
          headers: request.headers as Received['headers'],
          body,
          message: JSON.parse(body) as Received['message'],
          at: Date.now(),
        };
        this.received.push(received);
        response.writeHead(this.answer(received)).end();
      });
    });
    this.server = server;
    return new Promise((done) => server.listen(this.port, '127.0.0.1', done));
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    return new Promise((done) => (server ? server.close(() => done()) : done()));
  }

  /** The requests of messages of `type`. */
  of(type: string): Received[] {
    return this.received.filter((r) => r.message.type === type);
  }

  /** Waits until `enough` holds of what was received, for at most `timeoutMs`; then returns it. */
  async until(enough: (received: Received[]) => boolean, timeoutMs = 30_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (!enough(this.received)) {
      if (Date.now() > deadline) throw new Error(`the receiver waited ${timeoutMs} ms; it got ${this.summary()}`);
      await sleep(25);
    }
    return this.received;
  }

  /** Waits for the first message of `type` about the object `id`. */
  async first(type: string, id: number, timeoutMs?: number): Promise<Received> {
    const about = (r: Received) => r.message.type === type && r.message.data.id === id;
    await this.until((received) => received.some(about), timeoutMs);
    return this.received.find(about)!;
  }

  private summary(): string {
    return JSON.stringify(this.received.map((r) => `${r.message.type} ${r.message.data.id}`));
  }
}

function text(request: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => done(body));
    request.on('error', fail);
  });
}
