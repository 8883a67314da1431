import { AUTHENTICATED_USER_TTL_MS } from '../../src/modules/auth/auth.service';
import { UserEntity } from '../../src/modules/users/entities/user.entity';
import { makeUserInput, PASSWORD, registerCustomer } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { forgeToken, nowSeconds as now } from '../support/tokens';

describe('Auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ JWT_EXPIRES_IN_SECONDS: '900' });
  });
  afterAll(() => t.close());

  describe('POST /auth/login', () => {
    it('returns a bearer token, its lifetime and the user', async () => {
      const input = makeUserInput();
      await t.http().post('/api/v1/users').send(input).expect(201);
      const { body } = await t.http().post('/api/v1/auth/login').send({ phone: input.phone, password: PASSWORD });
      expect(body).toEqual({
        access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 900,
        user: expect.objectContaining({ phone: input.phone, role: 'customer' }),
      });
    });

    it('signs tokens with HS256', async () => {
      const { token } = await registerCustomer(t);
      const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
      expect(header.alg).toBe('HS256');
    });

    it('answers a wrong password and an unknown phone with the same 401 INVALID_CREDENTIALS', async () => {
      const { user } = await registerCustomer(t);
      const wrong = await t.http().post('/api/v1/auth/login').send({ phone: user.phone, password: 'wrong-password' });
      const unknown = await t.http().post('/api/v1/auth/login').send({ phone: '+999999999999', password: PASSWORD });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual({ success: false, code: 'INVALID_CREDENTIALS', message: expect.any(String) });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('rejects a login without a password with 400 VALIDATION_FAILED', async () => {
      const { body } = await t.http().post('/api/v1/auth/login').send({ phone: '0800000000' }).expect(400);
      expect(body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    });
  });

  describe('GET /auth/me', () => {
    it("returns the caller's user", async () => {
      const caller = await registerCustomer(t);
      const { body } = await t.http().get('/api/v1/auth/me').set(caller.auth).expect(200);
      expect(body).toEqual(caller.user);
    });

    it('answers 401 UNAUTHORIZED without a token', async () => {
      const { body } = await t.http().get('/api/v1/auth/me').expect(401);
      expect(body).toEqual({ success: false, code: 'UNAUTHORIZED', message: expect.any(String) });
    });

    it('answers 401 for a header that is not a Bearer token', async () => {
      const { token } = await registerCustomer(t);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Basic ${token}`).expect(401);
    });

    it('answers 401 for a token with a tampered payload', async () => {
      const { token } = await registerCustomer(t);
      const [header, , signature] = token.split('.');
      const payload = Buffer.from(JSON.stringify({ sub: 1, exp: now() + 600 })).toString('base64url');
      await t
        .http()
        .get('/api/v1/auth/me')
        .set('Authorization', `Bearer ${header}.${payload}.${signature}`)
        .expect(401);
    });

    it('answers 401 for a token signed with another secret', async () => {
      const { user } = await registerCustomer(t);
      const token = forgeToken({ sub: user.id, iat: now(), exp: now() + 600 }, 'x'.repeat(40));
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
    });

    it('answers 401 for an unsigned token (alg none)', async () => {
      const { user } = await registerCustomer(t);
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: user.id, exp: now() + 600 })}.`;
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
    });

    it('answers 401 for an expired token', async () => {
      const { user } = await registerCustomer(t);
      const token = forgeToken({ sub: user.id, iat: now() - 120, exp: now() - 60 });
      const { body } = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
      expect(body.code).toBe('UNAUTHORIZED');
    });

    it('accepts a token it signed itself with the same secret (the forged-token tests are meaningful)', async () => {
      const { user } = await registerCustomer(t);
      const token = forgeToken({ sub: user.id, iat: now(), exp: now() + 600 });
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('answers 401 once the user is gone', async () => {
      const caller = await registerCustomer(t);
      await t.db.getRepository(UserEntity).delete({ id: caller.user.id });
      const { body } = await t.http().get('/api/v1/auth/me').set(caller.auth).expect(401);
      expect(body.code).toBe('UNAUTHORIZED');
    });

    it('answers 401 within a second for a user removed just after a request', async () => {
      const caller = await registerCustomer(t);
      await t.http().get('/api/v1/auth/me').set(caller.auth).expect(200);
      await t.db.getRepository(UserEntity).delete({ id: caller.user.id });
      await new Promise((done) => setTimeout(done, AUTHENTICATED_USER_TTL_MS + 50));
      await t.http().get('/api/v1/auth/me').set(caller.auth).expect(401);
    });
  });
});
