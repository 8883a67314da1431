import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { toUserResponse } from '../users/dto/user-response.dto';
import { UsersService } from '../users/users.service';
import { LoginDto } from './dto/login.dto';
import { TokenResponseDto } from './dto/token-response.dto';

export interface TokenPayload {
  sub: number;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One answer for an unknown phone and a wrong password, so neither reveals which phones exist. */
  async login({ phone, password }: LoginDto): Promise<TokenResponseDto> {
    const user = await this.users.findByCredentials(phone, password);
    if (!user) throw new AppError('INVALID_CREDENTIALS', 'Invalid phone or password');
    const payload: TokenPayload = { sub: user.id };
    return {
      access_token: await this.jwt.signAsync(payload),
      token_type: 'Bearer',
      expires_in: this.config.jwt.expiresInSeconds,
      user: toUserResponse(user),
    };
  }
}
