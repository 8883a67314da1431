import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../../common/errors/app-error';
import { UserRole } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AdminOnlyMetadata, AuthenticatedRequest, PublicMetadata } from './auth.decorators';
import { TokenPayload } from './auth.service';

/** Authenticates the bearer token on every route, loading the caller so that deleted users are refused. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (header === undefined) {
      if (this.reflector.getAllAndOverride(PublicMetadata, [context.getHandler(), context.getClass()])) return true;
      throw AppError.unauthorized();
    }
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Bearer' || !token) throw AppError.unauthorized('Authorization must be "Bearer <token>"');
    const payload = await this.jwt.verifyAsync<TokenPayload>(token).catch(() => {
      throw AppError.unauthorized('Invalid or expired token');
    });
    const user = await this.users.findById(payload.sub);
    if (!user) throw AppError.unauthorized('User no longer exists');
    request.user = user;
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
