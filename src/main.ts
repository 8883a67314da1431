import './supported-node';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import { seed } from '../seeds/seed';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { loadConfig, readEnvFile } from './config/env';
import { openDatabase } from './database/database';
import { bootstrapLogger, JsonLogger } from './logging/logging.module';
import { Shutdown } from './modules/health/shutdown';

/** How long in-flight requests get to finish on SIGTERM. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often, while shutting down, connections whose requests are answered are closed. */
const IDLE_SWEEP_MS = 100;

async function bootstrap(): Promise<void> {
  readEnvFile();
  const config = loadConfig();
  const logger = bootstrapLogger(config);
  if (config.jwt.secretGenerated) {
    logger.log('JWT_SECRET is not set: using a random secret, so tokens end with this process');
  }
  const database = await openDatabase(config, logger, seed);
  try {
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, database.url), {
      bodyParser: false,
      bufferLogs: true,
    });
    app.useLogger(app.get(JsonLogger));
    configureApp(app);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        app.get(Shutdown).draining = true;
        const drainMs = config.http.shutdownDrainMs;
        logger.log(
          drainMs > 0
            ? `${signal}: not ready from now on; serving for ${drainMs} ms more, then finishing in-flight requests and shutting down`
            : `${signal}: finishing in-flight requests, then shutting down`,
        );
        void new Promise((drained) => setTimeout(drained, drainMs))
          .then(() => stopAccepting(app.getHttpServer()))
          .then(() => app.close())
          .then(() => database.close())
          .then(() => process.exit(0));
      });
    }
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    await database.close();
    throw error;
  }
  logger.log(`API on http://localhost:${config.http.port}/api/v1, docs on http://localhost:${config.http.port}/docs`);
}

/**
 * Stops listening and resolves once every in-flight request has been answered; connections
 * still open after SHUTDOWN_GRACE_MS are cut. Runs before the app closes its database pool,
 * which Nest would otherwise do while the server still accepts requests. A keep-alive connection
 * stays open after its answer, waiting for a next request, so idle ones are closed as they come.
 */
function stopAccepting(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  const idle = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  return closed.finally(() => {
    clearInterval(idle);
    clearTimeout(deadline);
  });
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
