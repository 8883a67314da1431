import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Response } from 'express';

export const API_PREFIX = 'api/v1';
const BODY_LIMIT = '100kb';

/** HTTP wiring shared by the server and the tests: prefix, body parsing, API documentation. */
export function configureApp(app: NestExpressApplication): INestApplication {
  app.setGlobalPrefix(API_PREFIX);
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.disable('x-powered-by');
  setUpDocs(app);
  return app;
}

function setUpDocs(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Ticketing API')
    .setDescription(
      'Sells tickets for events without ever overselling them. ' +
        'Every non-2xx response has the body `{ success: false, message, code, errors? }`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document);
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
    <script src="https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"></script>
  </body>
</html>`;
