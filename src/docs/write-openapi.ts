import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { AppModule } from '../app.module';
import { setRoutePrefix } from '../app.setup';
import { loadConfig } from '../config/env';
import { createOpenApiDocument } from './openapi';

/**
 * `npm run openapi`: writes the document /docs-json serves to openapi.json, for SDK generators and
 * reviewers. Preview mode reads the routes without connecting to a database.
 */
async function main(): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'development' });
  const app = await NestFactory.create(AppModule.forRoot(config, 'postgres://preview'), {
    preview: true,
    logger: false,
  });
  setRoutePrefix(app);
  writeFileSync('openapi.json', `${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
