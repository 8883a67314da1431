import { ApiProperty } from '@nestjs/swagger';
import { PHONE_PATTERN } from './create-user.dto';
import { UserEntity, UserRole } from '../entities/user.entity';

export class UserResponseDto {
  @ApiProperty({ type: 'integer', example: 2 })
  id: number;
  @ApiProperty({ maxLength: 255, example: 'Somchai Jaidee' })
  name: string;
  @ApiProperty({ maxLength: 16, pattern: PHONE_PATTERN.source, example: '0812345671' })
  phone: string;
  role: UserRole;
  created_at: Date;
  updated_at: Date;
}

export function toUserResponse(user: UserEntity): UserResponseDto {
  return {
    id: user.id,
    name: user.name,
    phone: user.phone,
    role: user.role,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}
