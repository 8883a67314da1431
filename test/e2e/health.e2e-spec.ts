import { createTestApp, TestApp } from '../support/test-app';

describe('Health probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers GET /health/live without a token, outside the API prefix', async () => {
    const { body } = await t.http().get('/health/live').expect(200);
    expect(body).toMatchObject({ status: 'ok' });
  });

  it('reports ready when the database answers', async () => {
    const { body } = await t.http().get('/health/ready').expect(200);
    expect(body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('answers 503 SERVICE_UNAVAILABLE in the error format when the database is gone', async () => {
    const broken = await createTestApp();
    try {
      await broken.db.destroy();
      const { body } = await broken.http().get('/health/ready').expect(503);
      expect(body).toEqual({ success: false, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
      await broken.http().get('/health/live').expect(200);
    } finally {
      await broken.close();
    }
  });
});
