import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../../users/dto/user-response.dto';

export class TokenResponseDto {
  /** Send as `Authorization: Bearer <access_token>`. */
  @ApiProperty({
    maxLength: 1024,
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    example:
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOjIsImlhdCI6MTc5NjI5MTU1MSwiZXhwIjoxNzk2Mjk1MTUxfQ.c2lnbmF0dXJl',
  })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  /** Seconds until the token expires. */
  @ApiProperty({ type: 'integer', example: 3600 })
  expires_in: number;

  user: UserResponseDto;
}
