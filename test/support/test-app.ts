import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/env';
import { recordContractViolations } from './contract';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** Environment for a built server process (startServerProcess) on the test run's database; `env` overrides. */
export function testServerEnv(env: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'test', DATABASE_URL: process.env.TEST_DATABASE_URL!, JWT_SECRET: TEST_JWT_SECRET, ...env };
}

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  db: DataSource;
  close: () => Promise<void>;
}

/**
 * The real API on the test run's database, or on `env.DATABASE_URL`'s. `env` overrides
 * configuration (rate limits are lifted by default); `override` may replace a provider, e.g. the
 * ticket code source. Every response is checked against openapi.json (test/support/contract.ts).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  override: (module: TestingModuleBuilder) => TestingModuleBuilder = (module) => module,
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_MAX: '1000000',
    LOGIN_RATE_LIMIT_MAX: '1000000',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const moduleRef = await override(
    Test.createTestingModule({
      imports: [AppModule.forRoot(config, config.database.url ?? process.env.TEST_DATABASE_URL!)],
    }),
  ).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] });
  app.use(recordContractViolations());
  configureApp(app);
  await app.init();
  return {
    app,
    http: () => request(app.getHttpServer()),
    db: app.get(DataSource),
    close: () => app.close(),
  };
}
