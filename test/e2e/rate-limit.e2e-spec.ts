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
