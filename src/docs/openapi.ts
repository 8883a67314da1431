import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { errorResponses } from '../common/http/api-errors.decorator';

/**
 * The OpenAPI document of the API, as served at /docs-json and committed as openapi.json.
 * Each operation is named after its handler (`createBooking`): the name generated SDKs expose.
 * Every route can answer a malformed request (bad JSON, a NUL character, HTTP framing), one too
 * slow to arrive, a body or headers over the limit, too many requests, or a database that does
 * not answer, so those responses are documented once for all.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Ticketing API')
    .setDescription(
      'Sells tickets for events without ever overselling them. ' +
        'Every non-2xx response has the body `{ success: false, message, code, errors? }`.',
    )
    .setVersion('1')
    .addServer('/', 'The server that serves this document')
    .addBearerAuth()
    .addGlobalResponse(
      ...errorResponses(
        'VALIDATION_FAILED',
        'REQUEST_TIMEOUT',
        'PAYLOAD_TOO_LARGE',
        'HEADERS_TOO_LARGE',
        'RATE_LIMITED',
        'INTERNAL',
        'SERVICE_UNAVAILABLE',
      ),
    )
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, handler) => handler });
}
