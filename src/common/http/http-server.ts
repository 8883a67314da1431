import { maxHeaderSize, Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpConfig } from '../../config/env';
import { errorBody } from '../errors/all-exceptions.filter';
import { AppError } from '../errors/app-error';
import { ERROR_STATUS } from '../errors/error-code';

/** How often Node looks for requests past their timeouts (its default, 30 s, would let them run that much longer). */
const TIMEOUT_CHECK_MS = 1000;

/** What Node's HTTP parser refuses before Express sees a request, answered in the contract's format. */
const REFUSALS: Record<string, AppError> = {
  HPE_HEADER_OVERFLOW: new AppError('HEADERS_TOO_LARGE', `Request headers are larger than ${maxHeaderSize / 1024} kB`),
  ERR_HTTP_REQUEST_TIMEOUT: new AppError('REQUEST_TIMEOUT', 'The request was not received in time'),
};
const MALFORMED = AppError.validation([{ field: 'request', message: 'Malformed HTTP request' }]);

/**
 * Holds connections to the limits of an API behind a load balancer: a whole request within
 * HTTP_REQUEST_TIMEOUT_MS, its headers within HTTP_HEADERS_TIMEOUT_MS, idle keep-alive
 * connections for HTTP_KEEP_ALIVE_TIMEOUT_MS, at most HTTP_MAX_CONNECTIONS open at once.
 * A request Node refuses itself (too slow, headers too large, malformed) gets the contract's
 * error body instead of Node's empty one.
 */
export function holdConnectionsToLimits(server: Server, http: HttpConfig): void {
  server.requestTimeout = http.requestTimeoutMs;
  server.headersTimeout = http.headersTimeoutMs;
  server.keepAliveTimeout = http.keepAliveTimeoutMs;
  server.maxConnections = http.maxConnections;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = TIMEOUT_CHECK_MS;
  server.on('clientError', answerClientError);
}

/** Like Node's own answer: only on a socket that can still take one and has no response under way. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const refusal = REFUSALS[error.code ?? ''] ?? (error.code?.startsWith('HPE_') ? MALFORMED : undefined);
  const response = (socket as Duplex & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (refusal && socket.writable && !response?.headersSent) socket.write(rawResponse(refusal));
  socket.destroy();
}

function rawResponse(error: AppError): string {
  const status = ERROR_STATUS[error.code];
  const body = JSON.stringify(errorBody(error));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}
