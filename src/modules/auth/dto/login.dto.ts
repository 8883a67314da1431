import { IsString, MaxLength } from 'class-validator';

export class LoginDto {
  /** @example 0800000000 */
  @IsString()
  @MaxLength(16)
  phone: string;

  /** @example admin12345 */
  @IsString()
  @MaxLength(128)
  password: string;
}
