import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Created } from '../../common/http/created.decorator';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { mapPage, Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AdminOnly, Authenticated, CurrentUser } from '../auth/auth.decorators';
import { UserEntity } from '../users/entities/user.entity';
import { BookingsService } from './bookings.service';
import {
  BookingDetailsResponseDto,
  BookingResponseDto,
  toBookingDetailsResponse,
  toBookingResponse,
} from './dto/booking-response.dto';
import { CreateBookingDto } from './dto/create-booking.dto';
import { UpdateBookingStatusDto } from './dto/update-booking-status.dto';
import { ApiIdempotencyKey, IdempotencyKey } from '../idempotency/idempotency-key.decorator';

@ApiTags('bookings')
@Controller('bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  /** Books tickets for the caller, or (admin) for another user; never oversells. */
  @Authenticated()
  @Post()
  @Created(BookingResponseDto)
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'INSUFFICIENT_TICKETS', 'EVENT_NOT_BOOKABLE', 'IDEMPOTENCY_KEY_REUSED')
  @ApiIdempotencyKey()
  createBooking(
    @Body() dto: CreateBookingDto,
    @CurrentUser() caller: UserEntity,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<BookingResponseDto> {
    return this.bookings.create(dto, caller, idempotencyKey);
  }

  /** A user's bookings, newest first: that user or an admin. */
  @Authenticated()
  @Get('user/:user_id')
  @ApiIdParam('user_id')
  @Paginated(BookingDetailsResponseDto)
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async listUserBookings(
    @Param('user_id', IdPipe) userId: number,
    @Query() query: PaginationQueryDto,
    @CurrentUser() caller: UserEntity,
  ): Promise<Page<BookingDetailsResponseDto>> {
    return mapPage(await this.bookings.listForUser(userId, query, caller), toBookingDetailsResponse);
  }

  /** An event's bookings, newest first (admin). */
  @AdminOnly()
  @Get('event/:event_id')
  @ApiIdParam('event_id')
  @Paginated(BookingDetailsResponseDto)
  @ApiErrors('NOT_FOUND')
  async listEventBookings(
    @Param('event_id', IdPipe) eventId: number,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<BookingDetailsResponseDto>> {
    return mapPage(await this.bookings.listForEvent(eventId, query), toBookingDetailsResponse);
  }

  /** A booking with its tickets: its owner or an admin. */
  @Authenticated()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async getBooking(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<BookingResponseDto> {
    return toBookingResponse(await this.bookings.get(id, caller));
  }

  /** Cancels a booking (its owner or an admin); its tickets are cancelled and its seats return to the event. */
  @Authenticated()
  @Put(':id/status')
  @ApiIdParam()
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'INVALID_STATUS_TRANSITION')
  async updateBookingStatus(
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdateBookingStatusDto,
    @CurrentUser() caller: UserEntity,
  ): Promise<BookingResponseDto> {
    return toBookingResponse(await this.bookings.updateStatus(id, dto.status, caller));
  }
}
