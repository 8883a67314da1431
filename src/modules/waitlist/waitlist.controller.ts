import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { API_PREFIX } from '../../common/http/api-prefix';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AdminOnly, Authenticated, CurrentUser } from '../auth/auth.decorators';
import { UserEntity } from '../users/entities/user.entity';
import { JoinWaitlistDto } from './dto/join-waitlist.dto';
import { WaitlistEntryResponseDto } from './dto/waitlist-entry-response.dto';
import { WaitlistService } from './waitlist.service';

@ApiTags('waiting list')
@Controller()
export class WaitlistController {
  constructor(private readonly waitlist: WaitlistService) {}

  /**
   * Puts the caller on the event's waiting list for `quantity` seats of a ticket type, while
   * they cannot be booked now. Freed seats are offered in order of arrival, as a hold.
   */
  @Authenticated()
  @Post('events/:id/waitlist')
  @ApiIdParam()
  @ApiCreatedResponse({
    type: WaitlistEntryResponseDto,
    headers: { Location: { description: 'URL of the entry', schema: { type: 'string', maxLength: 2048 } } },
  })
  @ApiErrors('NOT_FOUND', 'TICKETS_AVAILABLE', 'ALREADY_WAITING', 'EVENT_NOT_BOOKABLE')
  async joinWaitlist(
    @Param('id', IdPipe) eventId: number,
    @Body() dto: JoinWaitlistDto,
    @CurrentUser() caller: UserEntity,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WaitlistEntryResponseDto> {
    const entry = await this.waitlist.join(eventId, dto, caller);
    res.location(`/${API_PREFIX}/waitlist/${entry.id}`);
    return entry;
  }

  /** The event's waiting list in order of arrival, every entry whatever its status (admin). */
  @AdminOnly()
  @Get('events/:id/waitlist')
  @ApiIdParam()
  @Paginated(WaitlistEntryResponseDto)
  @ApiErrors('NOT_FOUND')
  listEventWaitlist(
    @Param('id', IdPipe) eventId: number,
    @Query() page: PaginationQueryDto,
  ): Promise<Page<WaitlistEntryResponseDto>> {
    return this.waitlist.listForEvent(eventId, page);
  }

  /** A user's waiting-list entries, newest first: the user or an admin. */
  @Authenticated()
  @Get('waitlist/user/:user_id')
  @ApiIdParam('user_id')
  @Paginated(WaitlistEntryResponseDto)
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  listUserWaitlist(
    @Param('user_id', IdPipe) userId: number,
    @Query() page: PaginationQueryDto,
    @CurrentUser() caller: UserEntity,
  ): Promise<Page<WaitlistEntryResponseDto>> {
    return this.waitlist.listForUser(userId, page, caller);
  }

  /** An entry with its place in the queue: its owner or an admin. */
  @Authenticated()
  @Get('waitlist/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: WaitlistEntryResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  getWaitlistEntry(
    @Param('id', IdPipe) id: number,
    @CurrentUser() caller: UserEntity,
  ): Promise<WaitlistEntryResponseDto> {
    return this.waitlist.get(id, caller);
  }

  /** Leaves the waiting list (its owner or an admin); an open offer is released and its seats passed on. */
  @Authenticated()
  @Delete('waitlist/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: WaitlistEntryResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  leaveWaitlist(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<WaitlistEntryResponseDto> {
    return this.waitlist.leave(id, caller);
  }
}
