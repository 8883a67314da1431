import { UserEntity } from '../../src/modules/users/entities/user.entity';
import { makeUserInput } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe('The error contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const countUsers = () => t.db.getRepository(UserEntity).count();

  it('answers an unknown route with 404 NOT_FOUND in the error format', async () => {
    const { body } = await t.http().get('/api/v1/nothing-here').expect(404);
    expect(body).toEqual({ success: false, code: 'NOT_FOUND', message: 'No route GET /api/v1/nothing-here' });
  });

  it('answers an unknown method on a known path with 404 NOT_FOUND', async () => {
    const { body } = await t.http().delete('/api/v1/users').expect(404);
    expect(body.code).toBe('NOT_FOUND');
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED, creating nothing', async () => {
    const before = await countUsers();
    const { body } = await t
      .http()
      .post('/api/v1/users')
      .set('Content-Type', 'application/json')
      .send('{"name": "Somchai", ')
      .expect(400);
    expect(body).toMatchObject({ success: false, code: 'VALIDATION_FAILED', errors: [{ field: 'body' }] });
    expect(await countUsers()).toBe(before);
  });

  it('answers a body over 100 kB with 413 PAYLOAD_TOO_LARGE, creating nothing', async () => {
    const before = await countUsers();
    const { body } = await t
      .http()
      .post('/api/v1/users')
      .send(makeUserInput({ name: 'x'.repeat(101 * 1024) }))
      .expect(413);
    expect(body).toEqual({ success: false, code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });
    expect(await countUsers()).toBe(before);
  });

  it('accepts a body just under 100 kB as far as validation', async () => {
    const { body } = await t
      .http()
      .post('/api/v1/users')
      .send(makeUserInput({ name: 'x'.repeat(99 * 1024) }))
      .expect(400);
    expect(body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
  });

  it('answers a JSON array body with 400 VALIDATION_FAILED', async () => {
    const { body } = await t.http().post('/api/v1/users').send([makeUserInput()]).expect(400);
    expect(body.code).toBe('VALIDATION_FAILED');
  });

  it('answers a non-JSON body with 400 VALIDATION_FAILED', async () => {
    const { body } = await t.http().post('/api/v1/users').set('Content-Type', 'text/plain').send('hi').expect(400);
    expect(body.code).toBe('VALIDATION_FAILED');
  });

  it('lists every failed rule in errors, naming the field', async () => {
    const { body } = await t.http().post('/api/v1/users').send({ name: '', phone: 'x', password: 'y' }).expect(400);
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'password', 'phone']);
    expect(body.message).toContain('phone');
  });

  it('never sends a stack trace, SQL or class name', async () => {
    const responses = await Promise.all([
      t.http().post('/api/v1/users').set('Content-Type', 'application/json').send('{bad'),
      t.http().get('/api/v1/users/abc'),
      t.http().get('/api/v1/users/99999').set('Authorization', 'Bearer x.y.z'),
      t.http().get('/api/v1/nope'),
    ]);
    for (const { text } of responses) {
      expect(text).not.toMatch(/at \w+ \(|\.ts:\d+|SELECT|INSERT|Exception|SyntaxError|node_modules/);
    }
  });

  it('sends error bodies as JSON', async () => {
    const res = await t.http().get('/api/v1/nope');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
