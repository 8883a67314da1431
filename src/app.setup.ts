import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { APP_CONFIG } from './config/config.module';
import { AppConfig } from './config/env';
import { holdConnectionsToLimits } from './common/http/http-server';
import { inputGate } from './common/http/input-gate';
import { createOpenApiDocument } from './docs/openapi';
import { Metrics } from './metrics/metrics.service';

export const API_PREFIX = 'api/v1';
const BODY_LIMIT = '100kb';
const REDOC_BUNDLE = 'https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js';
/** Headers a browser client may read from a cross-origin response. */
const EXPOSED_HEADERS = ['X-Total-Count', 'X-Request-Id', 'Retry-After'];

/** Every route under /api/v1 but the probes and metrics; also applied where the OpenAPI document is written. */
export function setRoutePrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics'] });
}

/**
 * HTTP wiring shared by the server and the tests: connection limits, prefix (probes and metrics
 * stay outside it), request metrics, security headers, caching, CORS for the configured origins,
 * body parsing and the input gate, API documentation.
 */
export function configureApp(app: NestExpressApplication): INestApplication {
  const { http } = app.get<AppConfig>(APP_CONFIG);
  holdConnectionsToLimits(app.getHttpServer(), http);
  setRoutePrefix(app);
  app.set('trust proxy', http.trustProxyHops);
  app.use(app.get(Metrics).recordHttp);
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { scriptSrc: ["'self'", REDOC_BUNDLE], workerSrc: ["'self'", 'blob:'] } },
    }),
  );
  app.use(noStoreUnlessPublicRead);
  if (http.corsOrigins.length > 0) app.enableCors({ origin: http.corsOrigins, exposedHeaders: EXPOSED_HEADERS });
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.use(inputGate);
  setUpDocs(app);
  return app;
}

/** Nothing a token or a password was sent for, and nothing written, may be kept by a cache. */
function noStoreUnlessPublicRead(req: Request, res: Response, next: NextFunction): void {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.authorization !== undefined) {
    res.setHeader('Cache-Control', 'no-store');
  }
  next();
}

function setUpDocs(app: NestExpressApplication): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app));
  app
    .getHttpAdapter()
    .getInstance()
    .get('/redoc', (_req: unknown, res: Response) => {
      res.type('html').send(REDOC_PAGE);
    });
}

const REDOC_PAGE = `<!DOCTYPE html>
<html>
  <head>
    <title>Ticketing API</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <redoc spec-url="/docs-json"></redoc>
    <script src="${REDOC_BUNDLE}"></script>
  </body>
</html>`;
