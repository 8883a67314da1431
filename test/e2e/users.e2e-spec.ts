import { UserEntity } from '../../src/modules/users/entities/user.entity';
import { createAdmin, makeUserInput, registerCustomer, uniquePhone } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('Users', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const countUsers = () => t.db.getRepository(UserEntity).count();

  describe('POST /users', () => {
    it('registers a customer and never returns the password or its hash', async () => {
      const input = makeUserInput({ name: 'Somchai' });
      const { body } = await t.http().post('/api/v1/users').send(input).expect(201);
      expect(body).toEqual({
        id: expect.any(Number),
        name: 'Somchai',
        phone: input.phone,
        role: 'customer',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updated_at: expect.any(String),
      });
    });

    it('stores the password as an argon2id hash', async () => {
      const input = makeUserInput();
      const { body } = await t.http().post('/api/v1/users').send(input).expect(201);
      const stored = await t.db.getRepository(UserEntity).findOneByOrFail({ id: body.id });
      expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
      expect(stored.passwordHash).not.toContain(input.password);
    });

    it('trims the name', async () => {
      const { body } = await t
        .http()
        .post('/api/v1/users')
        .send(makeUserInput({ name: '  Suda  ' }))
        .expect(201);
      expect(body.name).toBe('Suda');
    });

    it('answers 409 PHONE_TAKEN for a phone already registered, creating nobody', async () => {
      const input = makeUserInput();
      await t.http().post('/api/v1/users').send(input).expect(201);
      const before = await countUsers();
      const { body } = await t
        .http()
        .post('/api/v1/users')
        .send({ ...input, name: 'Other' })
        .expect(409);
      expect(body).toEqual({ success: false, code: 'PHONE_TAKEN', message: expect.stringContaining(input.phone) });
      expect(await countUsers()).toBe(before);
    });

    it('gives PHONE_TAKEN to all but one of concurrent registrations of the same phone', async () => {
      const input = makeUserInput();
      const responses = await Promise.all(Array.from({ length: 5 }, () => t.http().post('/api/v1/users').send(input)));
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    });

    it.each([
      ['a missing name', { name: undefined }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a name over 255 characters', { name: 'x'.repeat(256) }, 'name'],
      ['a phone with letters', { phone: '08123abc90' }, 'phone'],
      ['a phone under 9 digits', { phone: '12345678' }, 'phone'],
      ['a phone over 15 digits', { phone: '1234567890123456' }, 'phone'],
      ['a password under 8 characters', { password: 'short' }, 'password'],
      ['a password over 128 characters', { password: 'p'.repeat(129) }, 'password'],
      ['an unknown role', { role: 'superuser' }, 'role'],
      ['a numeric name', { name: 42 }, 'name'],
      ['an unknown field', { total_tickets_sold: 5 }, 'total_tickets_sold'],
      ['a server-owned field', { id: 1 }, 'id'],
    ])('rejects %s with 400 VALIDATION_FAILED naming the field, creating nobody', async (_, change, field) => {
      const before = await countUsers();
      const { body } = await t.http().post('/api/v1/users').send(makeUserInput(change)).expect(400);
      expect(body.code).toBe('VALIDATION_FAILED');
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await countUsers()).toBe(before);
    });

    it('accepts a phone with a leading +', async () => {
      await t
        .http()
        .post('/api/v1/users')
        .send(makeUserInput({ phone: uniquePhone() }))
        .expect(201);
    });

    it('refuses role admin without a token: 401', async () => {
      const { body } = await t
        .http()
        .post('/api/v1/users')
        .send(makeUserInput({ role: 'admin' }))
        .expect(401);
      expect(body.code).toBe('UNAUTHORIZED');
    });

    it('refuses role admin from a customer: 403, creating nobody', async () => {
      const customer = await registerCustomer(t);
      const before = await countUsers();
      const { body } = await t
        .http()
        .post('/api/v1/users')
        .set(customer.auth)
        .send(makeUserInput({ role: 'admin' }))
        .expect(403);
      expect(body.code).toBe('FORBIDDEN');
      expect(await countUsers()).toBe(before);
    });

    it('lets an admin create an admin', async () => {
      const admin = await createAdmin(t);
      const { body } = await t
        .http()
        .post('/api/v1/users')
        .set(admin.auth)
        .send(makeUserInput({ role: 'admin' }));
      expect(body.role).toBe('admin');
    });

    it('refuses an invalid token even though registration is public', async () => {
      await t.http().post('/api/v1/users').set('Authorization', 'Bearer nonsense').send(makeUserInput()).expect(401);
    });
  });

  describe('GET /users', () => {
    it('lists users for an admin, with the total in X-Total-Count', async () => {
      const admin = await createAdmin(t);
      const res = await t.http().get('/api/v1/users?limit=2&offset=0').set(admin.auth).expect(200);
      expect(res.body).toHaveLength(2);
      expect(Number(res.headers['x-total-count'])).toBe(await countUsers());
      expect(res.body[0]).not.toHaveProperty('password_hash');
    });

    it('pages with limit and offset in id order', async () => {
      const admin = await createAdmin(t);
      const all = (await t.http().get('/api/v1/users?limit=100').set(admin.auth).expect(200)).body;
      const page = (await t.http().get('/api/v1/users?limit=2&offset=1').set(admin.auth).expect(200)).body;
      expect(page.map((u: { id: number }) => u.id)).toEqual(all.slice(1, 3).map((u: { id: number }) => u.id));
    });

    it('defaults to 50 users per page', async () => {
      const admin = await createAdmin(t);
      await Promise.all(Array.from({ length: 51 }, () => t.http().post('/api/v1/users').send(makeUserInput())));
      const { body } = await t.http().get('/api/v1/users').set(admin.auth).expect(200);
      expect(body).toHaveLength(50);
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'offset=1.5'])(
      'rejects %s with 400 VALIDATION_FAILED',
      async (query) => {
        const admin = await createAdmin(t);
        const { body } = await t.http().get(`/api/v1/users?${query}`).set(admin.auth).expect(400);
        expect(body.code).toBe('VALIDATION_FAILED');
      },
    );

    it('is forbidden to customers', async () => {
      const customer = await registerCustomer(t);
      const { body } = await t.http().get('/api/v1/users').set(customer.auth).expect(403);
      expect(body.code).toBe('FORBIDDEN');
    });

    it('needs a token', async () => {
      await t.http().get('/api/v1/users').expect(401);
    });
  });

  describe('GET /users/:id', () => {
    it('shows a customer their own profile', async () => {
      const customer = await registerCustomer(t);
      const { body } = await t.http().get(`/api/v1/users/${customer.user.id}`).set(customer.auth).expect(200);
      expect(body).toEqual(customer.user);
    });

    it("refuses a customer another user's profile with 403", async () => {
      const [a, b] = [await registerCustomer(t), await registerCustomer(t)];
      const { body } = await t.http().get(`/api/v1/users/${b.user.id}`).set(a.auth).expect(403);
      expect(body.code).toBe('FORBIDDEN');
    });

    it('shows an admin any profile', async () => {
      const [admin, customer] = [await createAdmin(t), await registerCustomer(t)];
      await t.http().get(`/api/v1/users/${customer.user.id}`).set(admin.auth).expect(200);
    });

    it('answers 404 NOT_FOUND for a well-formed id that does not exist', async () => {
      const admin = await createAdmin(t);
      const { body } = await t.http().get('/api/v1/users/2147483647').set(admin.auth).expect(404);
      expect(body.code).toBe('NOT_FOUND');
    });

    it.each(['abc', '0', '-1', '1.5', '01', '2147483648', '1e3'])(
      'answers 400 VALIDATION_FAILED for the malformed id %s',
      async (id) => {
        const admin = await createAdmin(t);
        const { body } = await t.http().get(`/api/v1/users/${id}`).set(admin.auth).expect(400);
        expect(body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'id' }] });
      },
    );
  });
});
