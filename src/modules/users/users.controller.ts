import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Created } from '../../common/http/created.decorator';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { mapPage, Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AdminOnly, Authenticated, CurrentUser, Public } from '../auth/auth.decorators';
import { CreateUserDto } from './dto/create-user.dto';
import { toUserResponse, UserResponseDto } from './dto/user-response.dto';
import { UserEntity } from './entities/user.entity';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Registers a customer, or (with an admin token) an admin. */
  @Public()
  @Post()
  @Created(UserResponseDto)
  @ApiErrors('FORBIDDEN', 'PHONE_TAKEN')
  async createUser(@Body() dto: CreateUserDto, @CurrentUser() caller?: UserEntity): Promise<UserResponseDto> {
    return toUserResponse(await this.users.create(dto, caller));
  }

  /** Lists all users (admin). */
  @AdminOnly()
  @Get()
  @Paginated(UserResponseDto)
  async listUsers(@Query() query: PaginationQueryDto): Promise<Page<UserResponseDto>> {
    return mapPage(await this.users.list(query), toUserResponse);
  }

  /** Reads a user: the user themself or an admin. */
  @Authenticated()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async getUser(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<UserResponseDto> {
    return toUserResponse(await this.users.get(id, caller));
  }
}
