import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
   * Join the waiting list
   * @remarks Any signed-in user, for themself. Only while the seats cannot be booked now (`409
   * TICKETS_AVAILABLE` otherwise), one open entry per user and event (`409 ALREADY_WAITING`). Freed
   * seats are offered in order of arrival, as a hold the entry names (`hold_id`), for
   * `WAITLIST_OFFER_TTL_SECONDS`: confirm it to buy.
   */
  @Authenticated()
  @Post('events/:id/waitlist')
  @ApiIdParam()
  @ApiCreatedResponse({
    type: WaitlistEntryResponseDto,
    headers: {
      Location: {
        description: 'URL of the entry',
        schema: { type: 'string', format: 'uri-reference', maxLength: 2048 },
      },
    },
  })
  @ApiErrors('NOT_FOUND', 'TICKETS_AVAILABLE', 'ALREADY_WAITING', 'EVENT_NOT_BOOKABLE')
  @ApiBody({
    type: JoinWaitlistDto,
    examples: {
      seats: { summary: 'Two seats of the default type, once the event is sold out', value: { quantity: 2 } },
    },
  })
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

  /**
   * List an event's waiting list
   * @remarks Admin only. Every entry of the event in order of arrival, whatever its status;
   * paginated.
   */
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

  /**
   * List a user's waiting-list entries
   * @remarks That user or an admin. Newest first, every status; paginated.
   */
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

  /**
   * Get a waiting-list entry
   * @remarks Its owner or an admin. The entry with its place in the queue (`position`, while
   * waiting) and its offer, if any.
   */
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

  /**
   * Leave the waiting list
   * @remarks Its owner or an admin. An open offer is released and its seats passed on to the next
   * in line.
   */
  @Authenticated()
  @Delete('waitlist/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: WaitlistEntryResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  leaveWaitlist(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<WaitlistEntryResponseDto> {
    return this.waitlist.leave(id, caller);
  }
}
