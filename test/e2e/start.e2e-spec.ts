import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_PASSWORDS } from '../../seeds/sample-data';
import { checkedFetch } from '../support/contract';
import { MAIN, ServerProcess, startServerProcess } from '../support/server-process';

/** `npm start`'s server with no DATABASE_URL, its embedded PostgreSQL in `dataDir`. */
function startServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess({ NODE_ENV: 'development', EMBEDDED_POSTGRES_DIR: dataDir, ...env });
}

/**
 * A data directory in a folder of its own, which also holds what the server keeps beside it (the
 * list of processes using it, its log), so that removing the folder removes all. The folder is
 * open to the `postgres` user, whom the server runs as when the tests run as root.
 */
function scratchDataDir(prefix: string): { folder: string; dataDir: string } {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(folder, 0o755);
  return { folder, dataDir: join(folder, 'postgres') };
}

function postmasterRunning(dataDir: string): boolean {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 0);
    return true;
  } catch {
    return false;
  }
}

const api = (server: ServerProcess, path: string, init?: RequestInit) => checkedFetch(`${server.url}${path}`, init);

const loginAsSampleAdmin = (server: ServerProcess) =>
  api(server, '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ phone: '0800000000', password: SAMPLE_PASSWORDS.admin }),
  });

describe('npm start without DATABASE_URL', () => {
  jest.setTimeout(120_000);
  let folder: string;
  let dataDir: string;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the tests with npm test, which builds first`);
    ({ folder, dataDir } = scratchDataDir('ticketing-start-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  describe('a running server', () => {
    let server: ServerProcess;
    beforeAll(async () => {
      server = await startServer(dataDir);
      await server.ready;
    });
    afterAll(() => server.stop());

    it('serves the API on an embedded PostgreSQL with the sample data loaded', async () => {
      const res = await loginAsSampleAdmin(server);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: { role: string } }).user.role).toBe('admin');
    });

    it('starts without a warning', () => {
      expect(server.output()).not.toMatch(/"level":[456]0/);
    });

    it('serves the OpenAPI document with the DTO schemas of the build', async () => {
      const doc = (await (await api(server, '/docs-json')).json()) as { components: { schemas: any } };
      expect(doc.components.schemas.CreateUserDto.properties).toHaveProperty('phone');
    });
  });

  it('stops its PostgreSQL and exits 0 on SIGTERM', async () => {
    const server = await startServer(dataDir);
    await server.ready;
    expect(postmasterRunning(dataDir)).toBe(true);
    expect(await server.stop()).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(false);
  });

  it('starts again after a killed run left its PostgreSQL behind, keeping the data', async () => {
    const killed = await startServer(dataDir);
    await killed.ready;
    killed.process.kill('SIGKILL');
    await killed.exited;
    expect(postmasterRunning(dataDir)).toBe(true);

    const server = await startServer(dataDir);
    await server.ready;
    expect((await loginAsSampleAdmin(server)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(false);
  });

  it('fails in one line that says what to do when the embedded server cannot start', async () => {
    const occupied = mkdtempSync(join(tmpdir(), 'ticketing-occupied-'));
    writeFileSync(join(occupied, 'notes.txt'), 'not a database');
    const server = await startServer(occupied);
    const exitCode = await server.exited;
    rmSync(occupied, { recursive: true, force: true });
    expect(exitCode).toBe(1);
    const errors = server
      .output()
      .split('\n')
      .filter((line) => line && !line.startsWith('{'));
    expect(errors).toEqual([expect.stringMatching(/^embedded PostgreSQL .*: .*or set DATABASE_URL/)]);
  });

  it('refuses an unsupported Node.js in one line, before anything else runs', () => {
    const freshDir = join(dataDir, 'untouched');
    const olderNode = join(folder, 'node-18.js');
    writeFileSync(olderNode, "Object.defineProperty(process.versions, 'node', { value: '18.20.4' });");
    const run = spawnSync(process.execPath, ['--require', olderNode, MAIN], {
      encoding: 'utf8',
      env: { ...process.env, ENV_FILE: '/dev/null', EMBEDDED_POSTGRES_DIR: freshDir },
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'Node.js 18.20.4 is not supported: use Node.js 20.19.0 or newer (the current LTS is recommended)\n',
    );
    expect(existsSync(freshDir)).toBe(false);
  });

  it('refuses a bad configuration before starting anything, naming the variable', async () => {
    const freshDir = join(dataDir, 'unused');
    const server = await startServer(freshDir, { PORT: 'abc', BOOKING_MAX_QUANTITY: '0' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/Invalid configuration[\s\S]*PORT[\s\S]*BOOKING_MAX_QUANTITY/);
    expect(existsSync(freshDir)).toBe(false);
  });
});

describe('two API processes started with npm start in one checkout', () => {
  jest.setTimeout(120_000);
  let folder: string;
  let dataDir: string;
  beforeEach(() => ({ folder, dataDir } = scratchDataDir('ticketing-shared-')));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const ready = (server: ServerProcess) => api(server, '/health/ready').then((res) => res.status);

  it('share one embedded PostgreSQL, and either can stop without breaking the other', async () => {
    const [first, second] = await Promise.all([startServer(dataDir), startServer(dataDir)]);
    await Promise.all([first.ready, second.ready]);
    const said = [first, second].map((s) => /(started|joined) (the )?embedded PostgreSQL/.exec(s.output())?.[1]);
    expect(said.sort()).toEqual(['joined', 'started']);

    expect(await first.stop()).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(true);
    expect(await ready(second)).toBe(200);
    expect((await loginAsSampleAdmin(second)).status).toBe(200);

    expect(await second.stop()).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(false);
  });

  it('keep the database running for the other when the one that started it is killed', async () => {
    const starter = await startServer(dataDir);
    await starter.ready;
    const other = await startServer(dataDir);
    await other.ready;
    starter.process.kill('SIGKILL');
    await starter.exited;

    expect(await ready(other)).toBe(200);
    expect(await other.stop()).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(false);
  });

  it('leave the first serving when the second cannot take its port', async () => {
    const first = await startServer(dataDir);
    await first.ready;
    const second = await startServer(dataDir, { PORT: new URL(first.url).port });
    expect(await second.exited).toBe(1);

    expect(await ready(first)).toBe(200);
    expect(await first.stop()).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(false);
  });
});

const asRoot = process.getuid?.() === 0 ? describe : describe.skip;

asRoot('npm start as root, its data directory in a folder the postgres user cannot enter', () => {
  jest.setTimeout(120_000);
  let locked: string;
  let server: ServerProcess;
  let movedTo: string;
  beforeAll(async () => {
    locked = mkdtempSync(join(tmpdir(), 'ticketing-locked-'));
    server = await startServer(join(locked, 'postgres'));
    await server.ready;
    movedTo = /keeping the embedded database in (\S+) instead/.exec(server.output())?.[1] ?? '';
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(locked, { recursive: true, force: true });
    for (const path of movedTo ? [movedTo, `${movedTo}.users`, `${movedTo}.log`] : []) {
      rmSync(path, { recursive: true, force: true });
    }
  });

  it('keeps the database where that user can reach it, and says where', () => {
    expect(movedTo).toMatch(/^\//);
    expect(postmasterRunning(movedTo)).toBe(true);
  });

  it('serves the API on it', async () => {
    expect((await loginAsSampleAdmin(server)).status).toBe(200);
  });
});
