import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenApiDocument } from './openapi';

/** ReDoc's bundle from the `redoc` package, as `nest build` copies it beside this file (nest-cli.json assets). */
const BUILT_REDOC_BUNDLE = join(__dirname, 'redoc/bundles/redoc.standalone.js');

const REDOC_PAGE = `<!DOCTYPE html>
<html>
  <head>
    <title>Ticketing API</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <redoc spec-url="/docs-json"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>
  </body>
</html>`;

/** The OpenAPI document at /docs-json, Swagger UI at /docs, ReDoc at /redoc: all served from this process. */
export function setUpDocs(app: NestExpressApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app));
  const express = app.getHttpAdapter().getInstance();
  // Served by the API so that the docs need no internet; run from the sources (tests), from node_modules.
  const bundle = existsSync(BUILT_REDOC_BUNDLE)
    ? BUILT_REDOC_BUNDLE
    : require.resolve('redoc/bundles/redoc.standalone.js');
  express.get('/redoc', (_req: unknown, res: Response) => res.type('html').send(REDOC_PAGE));
  express.get('/redoc/redoc.standalone.js', (_req: unknown, res: Response) => res.sendFile(bundle));
}
