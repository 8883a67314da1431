import { ApiProperty } from '@nestjs/swagger';
import { IsEnum, IsString, Length, Matches } from 'class-validator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { Trim } from '../../../common/http/trim.decorator';
import { UserRole } from '../entities/user.entity';

/** A phone number as users are registered and log in with it: 9 to 15 digits, optionally after a `+`. */
export const PHONE_PATTERN = /^\+?[0-9]{9,15}$/;

export class CreateUserDto {
  /** @example Somchai Jaidee */
  @Trim()
  @IsString()
  @Length(1, 255)
  name: string;

  /** Unique; 9 to 15 digits, optionally after a `+`. @example 0812345678 */
  @ApiProperty({ maxLength: 16, pattern: PHONE_PATTERN.source })
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'phone must be 9 to 15 digits, optionally starting with +' })
  phone: string;

  /** @example correct-horse-battery */
  @IsString()
  @Length(8, 128)
  password: string;

  /** `admin` may be given only by an admin. */
  @Omittable()
  @IsEnum(UserRole)
  role?: UserRole;
}
