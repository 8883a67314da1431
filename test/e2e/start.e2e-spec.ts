import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SAMPLE_PASSWORDS } from '../../seeds/sample-data';

const MAIN = resolve(__dirname, '../../dist/src/main.js');

interface Server {
  process: ChildProcess;
  port: number;
  output: () => string;
  ready: Promise<void>;
  exited: Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** `npm start`'s server process (the build `npm test` makes first), with no DATABASE_URL. */
async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const { DATABASE_URL: _external, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...inherited, NODE_ENV: 'development', PORT: String(port), EMBEDDED_POSTGRES_DIR: dataDir, ...env },
  });
  let output = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const ready = new Promise<void>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('API on http')) done();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => fail(new Error(`server exited with ${code}:\n${output}`)));
  });
  ready.catch(() => undefined);
  return { process: child, port, output: () => output, ready, exited };
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

const api = (server: Server, path: string, init?: RequestInit) =>
  fetch(`http://127.0.0.1:${server.port}${path}`, init);

const loginAsSampleAdmin = (server: Server) =>
  api(server, '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ phone: '0800000000', password: SAMPLE_PASSWORDS.admin }),
  });

describe('npm start without DATABASE_URL', () => {
  jest.setTimeout(120_000);
  let dataDir: string;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the tests with npm test, which builds first`);
    dataDir = mkdtempSync(join(tmpdir(), 'ticketing-start-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('a running server', () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServer(dataDir);
      await server.ready;
    });
    afterAll(async () => {
      server.process.kill('SIGTERM');
      await server.exited;
    });

    it('serves the API on an embedded PostgreSQL with the sample data loaded', async () => {
      const res = await loginAsSampleAdmin(server);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: { role: string } }).user.role).toBe('admin');
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
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
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
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(postmasterRunning(dataDir)).toBe(false);
  });

  it('refuses a bad configuration before starting anything, naming the variable', async () => {
    const freshDir = join(dataDir, 'unused');
    const server = await startServer(freshDir, { PORT: 'abc', BOOKING_MAX_QUANTITY: '0' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/Invalid configuration[\s\S]*PORT[\s\S]*BOOKING_MAX_QUANTITY/);
    expect(existsSync(freshDir)).toBe(false);
  });
});
