import { makeUserInput, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('HTTP security', () => {
  describe('headers', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('sends helmet security headers and no X-Powered-By', async () => {
      const res = await t.http().get('/api/v1/events').expect(200);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
      });
      expect(res.headers).not.toHaveProperty('x-powered-by');
    });

    it('lets no browser origin in when CORS_ORIGINS is empty', async () => {
      const res = await t.http().get('/api/v1/events').set('Origin', 'https://shop.example').expect(200);
      expect(res.headers).not.toHaveProperty('access-control-allow-origin');
    });
  });

  describe('caching', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('forbids caching a response to a request with a token', async () => {
      const caller = await registerCustomer(t);
      const res = await t.http().get('/api/v1/auth/me').set(caller.auth).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('forbids caching the login response, which holds a token', async () => {
      const input = makeUserInput();
      await t.http().post('/api/v1/users').send(input).expect(201);
      const res = await t.http().post('/api/v1/auth/login').send({ phone: input.phone, password: input.password });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('forbids caching an error to a request with a token', async () => {
      const res = await t.http().get('/api/v1/auth/me').set('Authorization', 'Bearer a.b.c').expect(401);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('leaves a public read without a token to the usual caching rules', async () => {
      const res = await t.http().get('/api/v1/events').expect(200);
      expect(res.headers).not.toHaveProperty('cache-control');
    });
  });

  describe('CORS_ORIGINS', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ CORS_ORIGINS: 'https://shop.example,https://admin.example' });
    });
    afterAll(() => t.close());

    it('answers a preflight from a listed origin', async () => {
      const res = await t
        .http()
        .options('/api/v1/bookings')
        .set('Origin', 'https://admin.example')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://admin.example');
    });

    it('exposes X-Total-Count and X-Request-Id to a listed origin', async () => {
      const res = await t.http().get('/api/v1/events').set('Origin', 'https://shop.example').expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(res.headers['access-control-expose-headers']).toContain('X-Total-Count');
      expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
    });

    it('does not allow an origin that is not listed', async () => {
      const res = await t.http().get('/api/v1/events').set('Origin', 'https://evil.example').expect(200);
      expect(res.headers).not.toHaveProperty('access-control-allow-origin');
    });
  });
});
