import { loadConfig } from '../config/env';
import { loggerOptions } from './logging.module';

describe(loggerOptions.name, () => {
  const production = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/x',
    JWT_SECRET: 'x'.repeat(32),
  });

  it('writes lines a person reads in development on a terminal', () => {
    expect(loggerOptions(loadConfig({}), true).transport).toMatchObject({ target: 'pino-pretty' });
  });

  it('writes JSON in development when stdout is not a terminal (a file, a pipe, a log collector)', () => {
    expect(loggerOptions(loadConfig({}), false).transport).toBeUndefined();
  });

  it('writes JSON in production, terminal or not', () => {
    expect(loggerOptions(production, true).transport).toBeUndefined();
  });
});
