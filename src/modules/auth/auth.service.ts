import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { LRUCache } from 'lru-cache';
import { AppError } from '../../common/errors/app-error';
import { MAX_INT } from '../../common/http/integer.decorator';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { toUserResponse } from '../users/dto/user-response.dto';
import { UserEntity } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { LoginDto } from './dto/login.dto';
import { TokenResponseDto } from './dto/token-response.dto';
import { LoginAttempts } from './login-attempts';

/** How far ahead of this process's clock a token's `iat` may be: another process's clock may run ahead. */
const CLOCK_SKEW_S = 30;
/** How long a user who authenticated stays known to this process without asking the database again. */
export const AUTHENTICATED_USER_TTL_MS = 1_000;

export interface TokenPayload {
  sub: number;
}

@Injectable()
export class AuthService {
  /** Users found for tokens in the last AUTHENTICATED_USER_TTL_MS: one lookup a second per user, not per request. */
  private readonly recentUsers = new LRUCache<number, UserEntity>({ max: 10_000, ttl: AUTHENTICATED_USER_TTL_MS });

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    private readonly attempts: LoginAttempts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One answer for an unknown phone and a wrong password, so neither reveals which phones exist.
   * Wrong passwords are limited per phone (see LoginAttempts); `address` is the client's.
   */
  async login({ phone, password }: LoginDto, address: string): Promise<TokenResponseDto> {
    const user = await this.attempts.attempt(phone, address, () => this.users.findByCredentials(phone, password));
    if (!user) throw new AppError('INVALID_CREDENTIALS', 'Invalid phone or password');
    const payload: TokenPayload = { sub: user.id };
    return {
      access_token: await this.jwt.signAsync(payload),
      token_type: 'Bearer',
      expires_in: this.config.jwt.expiresInSeconds,
      user: toUserResponse(user),
    };
  }

  /**
   * The user a bearer token was issued to. The signature and `exp` must hold, `iat` must not be
   * in the future and `sub` must be a user id; a token that passes all of that for a user who is
   * gone is refused too, within AUTHENTICATED_USER_TTL_MS of the user's removal from the database
   * (users are never removed through the API). Every refusal is 401.
   */
  async authenticate(token: string): Promise<UserEntity> {
    const claims = await this.jwt.verifyAsync<Record<string, unknown>>(token).catch(() => undefined);
    const userId = claims && userIdOf(claims);
    if (userId === undefined) throw AppError.unauthorized('Invalid or expired token');
    const recent = this.recentUsers.get(userId);
    if (recent) return recent;
    const user = await this.users.findById(userId);
    if (!user) throw AppError.unauthorized('User no longer exists');
    this.recentUsers.set(userId, user);
    return user;
  }
}

function userIdOf({ sub, exp, iat }: Record<string, unknown>): number | undefined {
  if (typeof exp !== 'number' || typeof iat !== 'number' || iat > Date.now() / 1000 + CLOCK_SKEW_S) return undefined;
  return typeof sub === 'number' && Number.isInteger(sub) && sub >= 1 && sub <= MAX_INT ? sub : undefined;
}
