import { PASSWORD, registerCustomer } from '../support/factories';
import { describeWithRedis, RedisServer, startRedisServer } from '../support/redis-server';
import { createTestApp, TestApp } from '../support/test-app';

describe('Rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_MAX: '20', LOGIN_RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(() => t.close());

  const attempt = () => t.http().post('/api/v1/auth/login').send({ phone: '0899999999', password: 'wrong-password' });

  it('answers login attempts over the login limit with 429 RATE_LIMITED and Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const res = await attempt();
    expect(res.status).toBe(429);
    expect(res.body).toEqual({ success: false, code: 'RATE_LIMITED', message: expect.any(String) });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers requests over the general limit with 429 RATE_LIMITED', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await t.http().get('/api/v1/auth/me')).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe('A request refused by the general limit, sent again', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY_HOPS: '1', RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(() => t.close());

  const me = (address: string) => t.http().get('/api/v1/auth/me').set('X-Forwarded-For', address);
  /** What a client sees of an answer: status, body, and every header but those that differ per response. */
  const seen = (res: Awaited<ReturnType<typeof me>>) => ({
    status: res.status,
    body: res.body as unknown,
    headers: Object.keys(res.headers)
      .filter((name) => !['date', 'x-request-id', 'etag'].includes(name))
      .sort()
      .map((name) => `${name}: ${name === 'retry-after' ? 'seconds' : res.headers[name]}`),
  });

  it('gets the same 429, body and headers, until its block ends', async () => {
    for (let i = 0; i < 5; i++) expect((await me('203.0.113.40')).status).toBe(401);
    const refused = await me('203.0.113.40');
    const again = await me('203.0.113.40');
    expect(seen(refused).status).toBe(429);
    expect(seen(again)).toEqual(seen(refused));
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(Number(refused.headers['retry-after']));
  });

  it("leaves another address's requests to the same route alone", async () => {
    for (let i = 0; i < 6; i++) await me('203.0.113.41');
    expect((await me('203.0.113.41')).status).toBe(429);
    expect((await me('198.51.100.41')).status).toBe(401);
  });
});

const loginAttempt = (t: TestApp, phone: string, address?: string) => {
  const req = t.http().post('/api/v1/auth/login');
  if (address) req.set('X-Forwarded-For', address);
  return req.send({ phone, password: 'wrong-password' });
};

describe('Wrong passwords for one phone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      TRUST_PROXY_HOPS: '1',
      LOGIN_RATE_LIMIT_MAX: '1000',
      LOGIN_FAILURES_PER_ADDRESS_MAX: '3',
      LOGIN_FAILURES_PER_PHONE_MAX: '6',
      LOGIN_FAILURE_WINDOW_SECONDS: '60',
    });
  });
  afterAll(() => t.close());

  const rightPassword = (phone: string, address: string) =>
    t.http().post('/api/v1/auth/login').set('X-Forwarded-For', address).send({ phone, password: PASSWORD });

  it('refuses an address after LOGIN_FAILURES_PER_ADDRESS_MAX wrong passwords for a phone, with Retry-After', async () => {
    const { user } = await registerCustomer(t);
    for (let i = 0; i < 3; i++) expect((await loginAttempt(t, user.phone, '203.0.113.10')).status).toBe(401);
    const refused = await loginAttempt(t, user.phone, '203.0.113.10');
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await rightPassword(user.phone, '203.0.113.10')).status).toBe(429);
  });

  it("lets the owner's right password in after other addresses' failures below the phone's threshold", async () => {
    const { user } = await registerCustomer(t);
    for (let i = 0; i < 3; i++) await loginAttempt(t, user.phone, '198.51.100.1');
    for (let i = 0; i < 2; i++) await loginAttempt(t, user.phone, '198.51.100.2');
    expect((await loginAttempt(t, user.phone, '198.51.100.1')).status).toBe(429);
    expect((await rightPassword(user.phone, '192.0.2.77')).status).toBe(200);
  });

  it("forgets an address's failures once it gives the right password", async () => {
    const { user } = await registerCustomer(t);
    for (let i = 0; i < 2; i++) await loginAttempt(t, user.phone, '203.0.113.20');
    expect((await rightPassword(user.phone, '203.0.113.20')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await loginAttempt(t, user.phone, '203.0.113.20')).status).toBe(401);
  });

  it('locks the phone for every address, the owner too, past LOGIN_FAILURES_PER_PHONE_MAX', async () => {
    const { user } = await registerCustomer(t);
    for (let i = 1; i <= 6; i++) expect((await loginAttempt(t, user.phone, `198.51.100.${i}`)).status).toBe(401);
    const refused = await loginAttempt(t, user.phone, '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect((await rightPassword(user.phone, '192.0.2.77')).status).toBe(429);
  });

  it('leaves other phones alone', async () => {
    const [locked, other] = [await registerCustomer(t), await registerCustomer(t)];
    for (let i = 0; i < 4; i++) await loginAttempt(t, locked.user.phone, '203.0.113.30');
    expect((await loginAttempt(t, other.user.phone, '203.0.113.30')).status).toBe(401);
  });
});

describe('A phone locked again', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      LOGIN_FAILURES_PER_ADDRESS_MAX: '100',
      LOGIN_FAILURES_PER_PHONE_MAX: '2',
      LOGIN_FAILURE_WINDOW_SECONDS: '2',
    });
  });
  afterAll(() => t.close());

  it('waits twice as long as the time before', async () => {
    const lockout = async () => {
      for (let i = 0; i < 2; i++) expect((await loginAttempt(t, '0866666666')).status).toBe(401);
      return (await loginAttempt(t, '0866666666')).headers['retry-after'];
    };
    // A window of 2 s: the three attempts of a lockout fit in it even on a loaded machine.
    expect(await lockout()).toBe('2');
    await new Promise((wait) => setTimeout(wait, 2100));
    expect(await lockout()).toBe('4');
  });
});

describe('Login rate limit per address behind a trusted proxy (TRUST_PROXY_HOPS=1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY_HOPS: '1', LOGIN_RATE_LIMIT_MAX: '2' });
  });
  afterAll(() => t.close());

  it('counts each forwarded client address on its own', async () => {
    for (let i = 0; i < 2; i++) expect((await loginAttempt(t, '0833333333', '203.0.113.1')).status).toBe(401);
    expect((await loginAttempt(t, '0833333333', '203.0.113.1')).status).toBe(429);
    expect((await loginAttempt(t, '0833333333', '203.0.113.2')).status).toBe(401);
  });
});

describeWithRedis('Rate limits shared through Redis (REDIS_URL)', () => {
  let redis: RedisServer;
  let apps: TestApp[];
  beforeAll(async () => {
    redis = await startRedisServer();
    const env = {
      REDIS_URL: redis.url,
      TRUST_PROXY_HOPS: '1',
      LOGIN_RATE_LIMIT_MAX: '4',
      LOGIN_FAILURES_PER_PHONE_MAX: '3',
    };
    apps = [await createTestApp(env), await createTestApp(env)];
  });
  afterAll(async () => {
    await Promise.all((apps ?? []).map((app) => app.close()));
    await redis?.stop();
  });

  it("counts an address's login attempts on two API processes against one limit", async () => {
    for (let i = 0; i < 4; i++)
      expect((await loginAttempt(apps[i % 2], `084444444${i}`, '203.0.113.40')).status).toBe(401);
    const res = await loginAttempt(apps[0], '0844444449', '203.0.113.40');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("counts a phone's wrong passwords on two API processes against one threshold", async () => {
    for (let i = 1; i <= 3; i++)
      expect((await loginAttempt(apps[i % 2], '0855555555', `198.51.100.${i}`)).status).toBe(401);
    const res = await loginAttempt(apps[0], '0855555555', '198.51.100.4');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('Rate limits switched off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_MAX: '2', LOGIN_RATE_LIMIT_MAX: '1' });
  });
  afterAll(() => t.close());

  it('lets every request through', async () => {
    for (let i = 0; i < 5; i++) {
      await t.http().post('/api/v1/auth/login').send({ phone: '0899999999', password: 'wrong-password' }).expect(401);
    }
  });
});
