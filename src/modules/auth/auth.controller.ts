import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { LoginThrottle } from '../../common/http/rate-limit.module';
import { toUserResponse, UserResponseDto } from '../users/dto/user-response.dto';
import { UserEntity } from '../users/entities/user.entity';
import { Authenticated, CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { TokenResponseDto } from './dto/token-response.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Exchanges phone and password for a bearer token; wrong passwords are limited per phone (429). */
  @Public()
  @LoginThrottle()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors('INVALID_CREDENTIALS', 'RATE_LIMITED')
  login(@Body() dto: LoginDto, @Ip() address: string): Promise<TokenResponseDto> {
    return this.auth.login(dto, address);
  }

  /** The caller's own profile. */
  @Authenticated()
  @Get('me')
  @ApiOkResponse({ type: UserResponseDto })
  getMe(@CurrentUser() caller: UserEntity): UserResponseDto {
    return toUserResponse(caller);
  }
}
