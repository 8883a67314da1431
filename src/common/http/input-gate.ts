import { json, NextFunction, Request, Response } from 'express';
import { AppError, FieldError } from '../errors/app-error';
import { BODY_LIMIT_BYTES } from './body-limit';

/** Deepest nesting a body or query may have; the API's own inputs are flat objects. */
const MAX_DEPTH = 32;
/** Keys that would reach a prototype once copied onto a DTO. No DTO has them, so they are unknown fields. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses a JSON body, keeping its bytes as `rawBody` for a route that checks a signature over them. */
const parseJson = json({
  limit: BODY_LIMIT_BYTES,
  verify: (req: Request & { rawBody?: Buffer }, _res, body) => (req.rawBody = body),
});

/**
 * Express middleware: parses a JSON body, only when the request has one, then refuses, before
 * any validation or query runs, what no field rule should have to think of. A body must be a
 * JSON object; no string or key anywhere in it or in the query may hold a NUL character
 * (PostgreSQL refuses them), no key may be a prototype key, and nothing may nest deeper than
 * MAX_DEPTH (validation recurses).
 */
export function inputGate(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return next(gateProblem(req));
  parseJson(req, res, (error?: unknown) => next(error ?? gateProblem(req)));
}

function gateProblem(req: Request): AppError | undefined {
  const problem =
    (req.body !== undefined && bodyProblem(req.body)) || (req.url.includes('?') && valueProblem(req.query, '', 0));
  return problem ? AppError.validation([problem]) : undefined;
}

function bodyProblem(body: unknown): FieldError | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { field: 'body', message: 'The request body must be a JSON object' };
  }
  return valueProblem(body, '', 0);
}

function valueProblem(value: unknown, path: string, depth: number): FieldError | undefined {
  if (typeof value === 'string') {
    return value.includes('\0') ? { field: path, message: `${path} must not contain NUL characters` } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth === MAX_DEPTH) {
    const field = path.split('.')[0];
    return { field, message: `${field} nests more than ${MAX_DEPTH} levels deep` };
  }
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\0')) return { field: path || 'body', message: 'Field names must not contain NUL characters' };
    const field = path ? `${path}.${key}` : key;
    if (PROTOTYPE_KEYS.has(key)) return { field, message: `property ${field} should not exist` };
    const problem = valueProblem(child, field, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}
