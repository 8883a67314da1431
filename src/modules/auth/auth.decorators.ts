import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { UserEntity } from '../users/entities/user.entity';

export const PublicMetadata = Reflector.createDecorator<true>({ transform: () => true });

/**
 * The route answers without a token, and documents no security requirement (so generated clients
 * send none); a token, if sent, must still be valid (401).
 */
export const Public = () => applyDecorators(PublicMetadata(), ApiErrors('UNAUTHORIZED'));

/** A public route that does more for a caller with a token: documented as optional bearer auth. */
export const OptionallyAuthenticated = () => applyDecorators(Public(), ApiSecurity({}), ApiBearerAuth());

export const AdminOnlyMetadata = Reflector.createDecorator<true>({ transform: () => true });

/** Only callers with the admin role may use the route. */
export const AdminOnly = () =>
  applyDecorators(AdminOnlyMetadata(), ApiBearerAuth(), ApiErrors('UNAUTHORIZED', 'FORBIDDEN'));

/** Documents a route that needs any valid token. */
export const Authenticated = () => applyDecorators(ApiBearerAuth(), ApiErrors('UNAUTHORIZED'));

export interface AuthenticatedRequest extends Request {
  user?: UserEntity;
}

/** The caller, as loaded by the auth guard; undefined on a public route called without a token. */
export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AuthenticatedRequest>().user,
);
