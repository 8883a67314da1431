import { createAdmin, createEvent, makeEventInput, makeUserInput, registerCustomer } from '../support/factories';
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

    it('lets no browser origin in when CORS_ORIGINS is empty outside development, local ones neither', async () => {
      for (const origin of ['https://shop.example', 'http://localhost:5173']) {
        const res = await t.http().get('/api/v1/events').set('Origin', origin).expect(200);
        expect(res.headers).not.toHaveProperty('access-control-allow-origin');
      }
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

  describe('CORS in development without CORS_ORIGINS', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ NODE_ENV: 'development' });
    });
    afterAll(() => t.close());

    it.each(['http://localhost:5173', 'http://127.0.0.1:3001'])('answers a preflight from %s', async (origin) => {
      const res = await t
        .http()
        .options('/api/v1/bookings')
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
    });

    it('lets no other origin in', async () => {
      const res = await t.http().get('/api/v1/events').set('Origin', 'http://localhost.evil.example').expect(200);
      expect(res.headers).not.toHaveProperty('access-control-allow-origin');
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

  describe('Location', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it.each(['users', 'events', 'bookings'])('points at what POST /%s created, readable there', async (collection) => {
      const admin = await createAdmin(t);
      const body = {
        users: () => makeUserInput(),
        events: () => makeEventInput(),
        bookings: async () => ({ event_id: (await createEvent(t, admin)).id, quantity: 1 }),
      }[collection]!;
      const created = await t
        .http()
        .post(`/api/v1/${collection}`)
        .set(admin.auth)
        .send(await body())
        .expect(201);
      expect(created.headers.location).toBe(`/api/v1/${collection}/${created.body.id}`);
      const read = await t.http().get(created.headers.location).set(admin.auth).expect(200);
      expect(read.body.id).toBe(created.body.id);
    });
  });
});
