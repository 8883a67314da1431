import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { loadConfig } from './config/env';
import { openDatabase } from './database/database';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig();
  if (config.jwt.secretGenerated) {
    logger.warn('JWT_SECRET is not set: using a random secret, so tokens end with this process');
  }
  const database = await openDatabase(config, logger);
  try {
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, database.url), {
      bodyParser: false,
    });
    configureApp(app);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.log(`${signal}: shutting down`);
        void app
          .close()
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

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
