import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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

  /**
   * Log in
   * @remarks Public. Exchanges a phone number and password for a bearer token (an HS256 JWT) to
   * send as `Authorization: Bearer <token>`; it lasts `expires_in` seconds. Attempts are limited
   * per address, and wrong passwords per phone: past the limit the answer is `429 RATE_LIMITED`
   * with `Retry-After`.
   */
  @Public()
  @LoginThrottle()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiErrors('INVALID_CREDENTIALS', 'RATE_LIMITED')
  @ApiBody({
    type: LoginDto,
    examples: {
      customer: { summary: 'A sample customer', value: { phone: '0812345671', password: 'customer123' } },
      admin: { summary: 'The sample admin', value: { phone: '0800000000', password: 'admin12345' } },
    },
  })
  login(@Body() dto: LoginDto, @Ip() address: string): Promise<TokenResponseDto> {
    return this.auth.login(dto, address);
  }

  /**
   * Who am I
   * @remarks Any signed-in user. The profile of the user the token belongs to; `401` once the token
   * has expired or its user is gone.
   */
  @Authenticated()
  @Get('me')
  @ApiOkResponse({ type: UserResponseDto })
  getMe(@CurrentUser() caller: UserEntity): UserResponseDto {
    return toUserResponse(caller);
  }
}
