import { ApiProperty } from '@nestjs/swagger';
import { UserEntity, UserRole } from '../entities/user.entity';

export class UserResponseDto {
  @ApiProperty({ type: 'integer' })
  id: number;
  @ApiProperty({ maxLength: 255 })
  name: string;
  @ApiProperty({ maxLength: 16, pattern: '^\\+?[0-9]{9,15}$' })
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
