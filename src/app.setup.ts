import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_CONFIG } from './config/config.module';
import { AppConfig } from './config/env';
import { API_PREFIX } from './common/http/api-prefix';
import { holdConnectionsToLimits } from './common/http/http-server';
import { inputGate } from './common/http/input-gate';
import { RateLimitBlocks } from './common/http/rate-limit-blocks';
import { setUpDocs } from './docs/docs';
import { logRequests, PINO } from './logging/logging.module';
import { Metrics } from './metrics/metrics.service';

/** Headers a browser client may read from a cross-origin response. */
const EXPOSED_HEADERS = ['X-Total-Count', 'X-Request-Id', 'Retry-After', 'Location'];

/** Every route under /api/v1 but the probes and metrics; also applied where the OpenAPI document is written. */
export function setRoutePrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics'] });
}

/**
 * HTTP wiring shared by the server and the tests: connection limits, prefix (probes and metrics
 * stay outside it), request logs and metrics, security and caching headers, CORS for the
 * configured origins, the early answer to requests still rate limited, body parsing and the input
 * gate, API documentation.
 */
export function configureApp(app: NestExpressApplication): INestApplication {
  const { http } = app.get<AppConfig>(APP_CONFIG);
  holdConnectionsToLimits(app.getHttpServer(), http);
  setRoutePrefix(app);
  app.set('trust proxy', http.trustProxyHops);
  app.disable('x-powered-by');
  app.use(logRequests(app.get(PINO)));
  app.use(app.get(Metrics).recordHttp);
  app.use(securityHeaders());
  if (http.corsOrigins.length > 0) app.enableCors({ origin: http.corsOrigins, exposedHeaders: EXPOSED_HEADERS });
  app.use(app.get(RateLimitBlocks).answerBlocked);
  app.use(inputGate);
  setUpDocs(app);
  return app;
}

/**
 * Helmet's security headers, and `Cache-Control: no-store` on anything a token or a password was
 * sent for and anything written. Helmet's headers depend on nothing in the request, so they are
 * worked out once, by running helmet against a response that only records them.
 */
function securityHeaders() {
  const headers = new Map<string, string>();
  const recorder = { setHeader: (name: string, value: string) => headers.set(name, value), removeHeader: () => {} };
  helmet({
    // Nothing from another origin: the docs pages load only what this API serves.
    contentSecurityPolicy: {
      directives: {
        fontSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        workerSrc: ["'self'", 'blob:'],
      },
    },
  })({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeaders(headers);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.authorization !== undefined) {
      res.setHeader('Cache-Control', 'no-store');
    }
    next();
  };
}
