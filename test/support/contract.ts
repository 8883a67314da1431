import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Middleware } from 'openapi-fetch';

/** Routes the API serves outside its OpenAPI document: the documentation itself and Prometheus. */
const UNDOCUMENTED = /^\/(docs|docs-json|docs-yaml|redoc|metrics)(\/|$)/;

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: Schema }> }>;
}
/** A response's header by name, any case. */
type Headers = (name: string) => string | undefined;
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * Checks responses against the committed openapi.json, the document SDKs are generated from:
 * the route and status must be documented, the documented headers sent, and the body must match
 * the schema exactly (objects are closed, so an undocumented field is drift too). Undocumented
 * routes may only answer errors.
 */
export class ContractValidator {
  private readonly document: Document;
  private readonly routes: { method: string; pattern: RegExp; operation: Operation }[];
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly validators = new Map<Schema, ValidateFunction>();

  constructor() {
    this.document = JSON.parse(readFileSync(resolve('openapi.json'), 'utf8'));
    closeObjects(this.document.components);
    this.routes = Object.entries(this.document.paths)
      .flatMap(([template, operations]) =>
        Object.entries(operations).map(([method, operation]) => {
          closeObjects(operation.responses);
          const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
          return { method: method.toUpperCase(), pattern, operation, params: template.split('{').length };
        }),
      )
      .sort((a, b) => a.params - b.params);
  }

  /** What is wrong with this response, or undefined when it is as documented. */
  violation(method: string, path: string, status: number, headers: Headers, body: string) {
    if (method === 'OPTIONS') return undefined; // CORS preflights, answered by the CORS middleware
    const where = `${method} ${path} → ${status}`;
    const route = this.routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route && status < 400) {
      return UNDOCUMENTED.test(path) ? undefined : `${where}: the route is not in openapi.json`;
    }
    const response = route
      ? route.operation.responses[status]
      : { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } } };
    if (!response) return `${where}: status ${status} is not documented for this operation`;
    const missing = Object.entries(response.headers ?? {})
      .filter(([name, header]) => (header as { required?: boolean }).required && headers(name) === undefined)
      .map(([name]) => name);
    if (missing.length > 0) return `${where}: documented headers not sent: ${missing.join(', ')}`;
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return body === '' ? undefined : `${where}: a body is sent but none is documented`;
    const contentType = headers('content-type');
    if (!contentType?.startsWith('application/json')) return `${where}: content-type ${contentType}, not JSON`;
    const validate = this.validator(schema);
    if (validate(parseJson(body))) return undefined;
    return `${where}: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}\n${body.slice(0, 500)}`;
  }

  /** What is wrong with `value` as an instance of `schema` (refs into the document resolved), or undefined. */
  problem(schema: Schema, value: unknown): string | undefined {
    const validate = this.validator(schema);
    return validate(value) ? undefined : this.ajv.errorsText(validate.errors, { dataVar: 'example' });
  }

  private validator(schema: Schema): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile({ allOf: [schema], components: this.document.components });
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

/** The body's value; a body that is not JSON comes back as its text, which no JSON schema here admits. */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Every object schema with listed properties admits no others. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Schema;
  if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  Object.values(schema).forEach(closeObjects);
}

const violations: string[] = [];
let shared: ContractValidator | undefined;

function check(method: string, path: string, status: number, headers: Headers, body: string) {
  const problem = (shared ??= new ContractValidator()).violation(method, path, status, headers, body);
  if (problem) violations.push(problem);
}

/**
 * Express middleware for the test app: records every response that strays from the document.
 * test/setup/contract.ts fails the test that caused one.
 */
export function recordContractViolations() {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ExpressResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      collect(chunks, chunk);
      return write(chunk, ...rest);
    }) as ExpressResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      collect(chunks, chunk);
      check(
        req.method,
        req.originalUrl.split('?')[0],
        res.statusCode,
        (name) => res.getHeader(name)?.toString(),
        Buffer.concat(chunks).toString('utf8'),
      );
      return end(chunk, ...rest);
    }) as ExpressResponse['end'];
    next();
  };
}

function collect(chunks: Buffer[], chunk: unknown): void {
  if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
  else if (Buffer.isBuffer(chunk)) chunks.push(chunk);
}

/** `fetch` for tests that call a server process, its responses recorded like the test app's. */
export async function checkedFetch(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  await checkFetched(init?.method ?? 'GET', url, response);
  return response;
}

/** openapi-fetch middleware recording the responses the SDK receives. */
export const checkSdkResponses: Middleware = {
  onResponse: ({ request, response }) => checkFetched(request.method, request.url, response),
};

async function checkFetched(method: string, url: string, response: Response): Promise<void> {
  const body = await response.clone().text();
  check(method, new URL(url).pathname, response.status, (name) => response.headers.get(name) ?? undefined, body);
}

/** The violations recorded since the last call. */
export function takeContractViolations(): string[] {
  return violations.splice(0);
}
