import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, environmentVariableNames, loadConfig, loadDatabaseUrl, readEnvFile } from './env';

describe(loadConfig.name, () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      http: { port: 3000 },
      database: { url: undefined, poolSize: 10 },
      jwt: { expiresInSeconds: 3600, secretGenerated: true },
      bookings: { maxQuantity: 10 },
      rateLimit: { enabled: true, windowSeconds: 60, max: 600, loginMax: 10 },
      payments: { provider: 'none', currency: 'thb', stripe: undefined },
    });
  });

  it('drains for 5 s on SIGTERM in production, not at all elsewhere, unless SHUTDOWN_DRAIN_MS says', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig(production).http.shutdownDrainMs).toBe(5000);
    expect(loadConfig({}).http.shutdownDrainMs).toBe(0);
    expect(loadConfig({ ...production, SHUTDOWN_DRAIN_MS: '0' }).http.shutdownDrainMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: '2500' }).http.shutdownDrainMs).toBe(2500);
  });

  it('reads numbers from their strings', () => {
    expect(loadConfig({ PORT: '8080', BOOKING_MAX_QUANTITY: '4' })).toMatchObject({
      http: { port: 8080 },
      bookings: { maxQuantity: 4 },
    });
  });

  it('generates a random JWT secret outside production when none is set', () => {
    const [a, b] = [loadConfig({}), loadConfig({})];
    expect(a.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(a.jwt.secret).not.toBe(b.jwt.secret);
  });

  it('requires JWT_SECRET and DATABASE_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /DATABASE_URL is required[\s\S]*JWT_SECRET is required/,
    );
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['DATABASE_POOL_SIZE', '0'],
    ['JWT_SECRET', 'too-short'],
    ['JWT_EXPIRES_IN_SECONDS', '10'],
    ['BOOKING_MAX_QUANTITY', '0'],
    ['BOOKING_MAX_QUANTITY', '1.5'],
    ['RATE_LIMIT_MAX', '-1'],
    ['NODE_ENV', 'staging'],
    ['RATE_LIMIT_ENABLED', 'yes'],
    ['CORS_ORIGINS', 'shop.example'],
    ['CORS_ORIGINS', 'https://a.example, https://b.example'],
    ['DATABASE_LOCK_TIMEOUT_MS', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', 'soon'],
    ['HTTP_REQUEST_TIMEOUT_MS', '10'],
    ['HTTP_MAX_CONNECTIONS', '0'],
    ['SHUTDOWN_DRAIN_MS', '-1'],
    ['LOGIN_FAILURES_PER_ADDRESS_MAX', '0'],
    ['PAYMENT_PROVIDER', 'paypal'],
    ['PAYMENT_CURRENCY', 'THB'],
    ['STRIPE_API_URL', 'stripe.local'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it.each(['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'])(
    'refuses PAYMENT_PROVIDER=stripe without %s, naming it',
    (missing) => {
      const stripe = { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' };
      expect(() => loadConfig({ ...stripe, [missing]: '' })).toThrow(
        `${missing} is required with PAYMENT_PROVIDER=stripe`,
      );
    },
  );

  it('points Stripe at STRIPE_API_URL', () => {
    const config = loadConfig({
      PAYMENT_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
    });
    expect(config.payments.stripe?.apiUrl?.port).toBe('12111');
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(
      'HTTP_HEADERS_TIMEOUT_MS must not be greater than HTTP_REQUEST_TIMEOUT_MS',
    );
  });

  it('says what is wrong with a variable before its bounds', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow('PORT must be an integer');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).database.url).toBeUndefined();
  });

  it('has every variable in .env.example', () => {
    const example = readFileSync('.env.example', 'utf8');
    expect(environmentVariableNames().filter((name) => !example.includes(`# ${name}=`))).toEqual([]);
  });

  it('has every variable in the README configuration table', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(environmentVariableNames().filter((name) => !readme.includes(`| \`${name}\``))).toEqual([]);
  });
});

describe(loadDatabaseUrl.name, () => {
  it('reads DATABASE_URL alone, whatever the rest of the environment holds', () => {
    const env = { NODE_ENV: 'staging', CORS_ORIGINS: 'localhost:5173', PORT: 'abc', DATABASE_URL: 'postgres://db/x' };
    expect(loadDatabaseUrl(env)).toBe('postgres://db/x');
  });

  it('refuses a DATABASE_URL that is not a postgres:// URL', () => {
    expect(() => loadDatabaseUrl({ DATABASE_URL: 'mysql://db/x' })).toThrow('DATABASE_URL must be a postgres:// URL');
  });
});

describe(readEnvFile.name, () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ticketing-env-')), '.env');
  writeFileSync(file, 'ENV_FILE_TEST_SET=from-file\nENV_FILE_TEST_KEPT=from-file\n');

  it('sets what the environment does not, and keeps what it does', () => {
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, ENV_FILE_TEST_KEPT: 'from-environment' };
    readEnvFile(env);
    expect(env).toMatchObject({ ENV_FILE_TEST_SET: 'from-file', ENV_FILE_TEST_KEPT: 'from-environment' });
  });

  it('reads nothing in production', () => {
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, NODE_ENV: 'production' };
    readEnvFile(env);
    expect(env.ENV_FILE_TEST_SET).toBeUndefined();
  });
});
