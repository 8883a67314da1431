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

const loginAttempt = (t: TestApp, phone: string, address?: string) => {
  const req = t.http().post('/api/v1/auth/login');
  if (address) req.set('X-Forwarded-For', address);
  return req.send({ phone, password: 'wrong-password' });
};

describe('Login rate limit per phone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT_MAX: '100', LOGIN_PHONE_RATE_LIMIT_MAX: '2' });
  });
  afterAll(() => t.close());

  it('limits attempts on one phone and leaves other phones alone', async () => {
    for (let i = 0; i < 2; i++) expect((await loginAttempt(t, '0811111111')).status).toBe(401);
    expect((await loginAttempt(t, '0811111111')).status).toBe(429);
    expect((await loginAttempt(t, '0822222222')).status).toBe(401);
  });
});

describe('Login rate limit per address behind a trusted proxy (TRUST_PROXY_HOPS=1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY_HOPS: '1', LOGIN_RATE_LIMIT_MAX: '2', LOGIN_PHONE_RATE_LIMIT_MAX: '100' });
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
    const env = { REDIS_URL: redis.url, LOGIN_RATE_LIMIT_MAX: '100', LOGIN_PHONE_RATE_LIMIT_MAX: '3' };
    apps = [await createTestApp(env), await createTestApp(env)];
  });
  afterAll(async () => {
    await Promise.all((apps ?? []).map((app) => app.close()));
    await redis?.stop();
  });

  it('counts attempts made on two API processes against one limit', async () => {
    expect((await loginAttempt(apps[0], '0844444444')).status).toBe(401);
    expect((await loginAttempt(apps[1], '0844444444')).status).toBe(401);
    expect((await loginAttempt(apps[0], '0844444444')).status).toBe(401);
    const res = await loginAttempt(apps[1], '0844444444');
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
