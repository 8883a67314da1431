import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../../common/errors/app-error';
import { UserRole } from '../users/entities/user.entity';
import { AdminOnlyMetadata, AuthenticatedRequest, PublicMetadata } from './auth.decorators';
import { AuthService } from './auth.service';

/** `Bearer `, then a JWT's three base64url parts, and nothing else. */
const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/;

/** Authenticates the bearer token on every route, loading the caller so that deleted users are refused. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (header === undefined) {
      if (this.reflector.getAllAndOverride(PublicMetadata, [context.getHandler(), context.getClass()])) return true;
      throw AppError.unauthorized();
    }
    const token = BEARER.exec(header)?.[1];
    if (!token) throw AppError.unauthorized('Authorization must be "Bearer <token>"');
    request.user = await this.auth.authenticate(token);
    return true;
  }
}

/** Enforces `@AdminOnly()`. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const adminOnly = this.reflector.getAllAndOverride(AdminOnlyMetadata, [context.getHandler(), context.getClass()]);
    if (adminOnly && context.switchToHttp().getRequest<AuthenticatedRequest>().user?.role !== UserRole.Admin) {
      throw AppError.forbidden('Admin role required');
    }
    return true;
  }
}
