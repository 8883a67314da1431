import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Created } from '../../common/http/created.decorator';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { mapPage, Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AdminOnly, Authenticated, CurrentUser, OptionallyAuthenticated } from '../auth/auth.decorators';
import { CreateUserDto } from './dto/create-user.dto';
import { toUserResponse, UserResponseDto } from './dto/user-response.dto';
import { UserEntity } from './entities/user.entity';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /**
   * Register a user
   * @remarks Public. Registers a customer; with an admin's token, `role: admin` registers an admin.
   * A phone number registers once (`409 PHONE_TAKEN`). The password is stored as an Argon2id hash.
   */
  @OptionallyAuthenticated()
  @Post()
  @Created(UserResponseDto)
  @ApiErrors('FORBIDDEN', 'PHONE_TAKEN')
  @ApiBody({
    type: CreateUserDto,
    examples: {
      customer: {
        summary: 'A customer registering',
        value: { name: 'Niran Chaiyo', phone: '0812345679', password: 'correct-horse-battery' },
      },
      admin: {
        summary: 'An admin, registered with an admin token',
        value: { name: 'Door Staff', phone: '0800000009', password: 'correct-horse-battery', role: 'admin' },
      },
    },
  })
  async createUser(@Body() dto: CreateUserDto, @CurrentUser() caller?: UserEntity): Promise<UserResponseDto> {
    return toUserResponse(await this.users.create(dto, caller));
  }

  /**
   * List users
   * @remarks Admin only. Every user, oldest first; paginated (`page`, `limit`, total in `X-Total-
   * Count`).
   */
  @AdminOnly()
  @Get()
  @Paginated(UserResponseDto)
  async listUsers(@Query() query: PaginationQueryDto): Promise<Page<UserResponseDto>> {
    return mapPage(await this.users.list(query), toUserResponse);
  }

  /**
   * Get a user
   * @remarks The user themself or an admin; another customer answers `403`.
   */
  @Authenticated()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async getUser(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<UserResponseDto> {
    return toUserResponse(await this.users.get(id, caller));
  }
}
