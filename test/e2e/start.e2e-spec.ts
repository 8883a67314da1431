import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_PASSWORDS } from '../../seeds/sample-data';
import { checkedFetch } from '../support/contract';
import { MAIN, ServerProcess, startServerProcess } from '../support/server-process';

/** `npm start`'s server with no DATABASE_URL, its embedded PostgreSQL in `dataDir`. */
function startServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServerProcess({ NODE_ENV: 'development', EMBEDDED_POSTGRES_DIR: dataDir, ...env });
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
  let dataDir: string;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run the tests with npm test, which builds first`);
    dataDir = mkdtempSync(join(tmpdir(), 'ticketing-start-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

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

  it('refuses a bad configuration before starting anything, naming the variable', async () => {
    const freshDir = join(dataDir, 'unused');
    const server = await startServer(freshDir, { PORT: 'abc', BOOKING_MAX_QUANTITY: '0' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/Invalid configuration[\s\S]*PORT[\s\S]*BOOKING_MAX_QUANTITY/);
    expect(existsSync(freshDir)).toBe(false);
  });
});
