import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { PHONE_PATTERN } from '../../users/dto/create-user.dto';

export class LoginDto {
  /**
   * The phone the user registered with (any other cannot match one: `401`).
   * @example 0800000000
   */
  @ApiProperty({ pattern: PHONE_PATTERN.source })
  @IsString()
  @MaxLength(16)
  phone: string;

  /** @example admin12345 */
  @IsString()
  @MaxLength(128)
  password: string;
}
