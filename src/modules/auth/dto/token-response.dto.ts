import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../users/dto/user-response.dto';

export class TokenResponseDto {
  /** Send as `Authorization: Bearer <access_token>`. */
  @ApiProperty({ maxLength: 1024 })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  /** Seconds until the token expires. */
  @ApiProperty({ type: 'integer' })
  expires_in: number;

  user: UserResponseDto;
}
