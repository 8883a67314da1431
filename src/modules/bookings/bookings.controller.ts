import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
import { CreateBookingDto, PURCHASE_EXAMPLES } from './dto/create-booking.dto';
import { UpdateBookingStatusDto } from './dto/update-booking-status.dto';
import { ApiIdempotencyKey, IdempotencyKey } from '../idempotency/idempotency-key.decorator';

@ApiTags('bookings')
@Controller('bookings')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  /**
   * Book tickets
   * @remarks Any signed-in user books for themself; an admin may book for another user (`user_id`).
   * One statement takes the event's row lock and sells only if the seats are there, so it never
   * oversells: too few left is `409 INSUFFICIENT_TICKETS`, an event not on sale `409
   * EVENT_NOT_BOOKABLE`. The booking comes with one ticket per seat. Send an `Idempotency-Key` to
   * retry safely: the same key and body answer the first response again. With a payment
   * provider, a customer books only free tickets (`409 PAYMENT_REQUIRED`: priced ones are bought
   * through an order).
   */
  @Authenticated()
  @Post()
  @Created(BookingResponseDto)
  @ApiErrors(
    'FORBIDDEN',
    'NOT_FOUND',
    'INSUFFICIENT_TICKETS',
    'EVENT_NOT_BOOKABLE',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENT_REQUIRED',
  )
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateBookingDto, examples: PURCHASE_EXAMPLES })
  createBooking(
    @Body() dto: CreateBookingDto,
    @CurrentUser() caller: UserEntity,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<BookingResponseDto> {
    return this.bookings.create(dto, caller, idempotencyKey);
  }

  /**
   * List a user's bookings
   * @remarks That user or an admin. Newest first, each with its event and tickets; paginated
   * (`page`, `limit`, total in `X-Total-Count`).
   */
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

  /**
   * List an event's bookings
   * @remarks Admin only. Every booking of the event, confirmed or cancelled, newest first, with its
   * user and tickets; paginated.
   */
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

  /**
   * Get a booking
   * @remarks Its owner or an admin (another customer gets `403`). The booking with its tickets.
   */
  @Authenticated()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async getBooking(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<BookingResponseDto> {
    return toBookingResponse(await this.bookings.get(id, caller));
  }

  /**
   * Cancel a booking
   * @remarks Its owner or an admin. `status: cancelled` cancels the booking and its tickets, and
   * its seats return to the event (and go to its waiting list first). Cancelling it again changes
   * nothing; a booking with a used ticket cannot be cancelled on its own (`409
   * INVALID_STATUS_TRANSITION`). A booking of a paid order is refunded (`refunded_amount` of the
   * order grows); its buyer may cancel it only before `REFUND_CUTOFF_SECONDS` ahead of the event
   * (`409 REFUND_NOT_ALLOWED`).
   */
  @Authenticated()
  @Put(':id/status')
  @ApiIdParam()
  @ApiOkResponse({ type: BookingResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'INVALID_STATUS_TRANSITION', 'REFUND_NOT_ALLOWED')
  @ApiBody({
    type: UpdateBookingStatusDto,
    examples: { cancel: { summary: 'Cancel the booking', value: { status: 'cancelled' } } },
  })
  async updateBookingStatus(
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdateBookingStatusDto,
    @CurrentUser() caller: UserEntity,
  ): Promise<BookingResponseDto> {
    return toBookingResponse(await this.bookings.updateStatus(id, dto.status, caller));
  }
}
