import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { isUniqueViolation } from '../../database/postgres-errors';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { UserEntity, UserRole } from './entities/user.entity';
import { assertOwnerOrAdmin } from './owner-or-admin';
import { PasswordHasher } from './password-hasher';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly passwords: PasswordHasher,
  ) {}

  /** Anyone may register as a customer; only an admin may create an admin. */
  async create(dto: CreateUserDto, caller: UserEntity | undefined): Promise<UserEntity> {
    const role = dto.role ?? UserRole.Customer;
    if (role === UserRole.Admin) {
      if (!caller) throw AppError.unauthorized('Creating an admin requires an admin token');
      if (caller.role !== UserRole.Admin) throw AppError.forbidden('Only an admin may create an admin');
    }
    const passwordHash = await this.passwords.hash(dto.password);
    try {
      return await this.users.save(this.users.create({ name: dto.name, phone: dto.phone, passwordHash, role }));
    } catch (error) {
      if (isUniqueViolation(error, 'users')) {
        throw new AppError('PHONE_TAKEN', `A user with phone ${dto.phone} already exists`);
      }
      throw error;
    }
  }

  async list({ limit, offset }: PaginationQueryDto): Promise<Page<UserEntity>> {
    const [items, total] = await this.users.findAndCount({ order: { id: 'ASC' }, take: limit, skip: offset });
    return { items, total };
  }

  /** A customer may read only their own profile. */
  async get(id: number, caller: UserEntity): Promise<UserEntity> {
    assertOwnerOrAdmin(caller, id);
    const user = await this.findById(id);
    if (!user) throw AppError.notFound('User', id);
    return user;
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** The user with these credentials, or null; takes as long for an unknown phone as for a wrong password. */
  async findByCredentials(phone: string, password: string): Promise<UserEntity | null> {
    const user = await this.users.findOneBy({ phone });
    return (await this.passwords.verify(user?.passwordHash, password)) ? user : null;
  }
}
