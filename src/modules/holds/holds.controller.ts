import { Body, Controller, Delete, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { API_PREFIX } from '../../common/http/api-prefix';
import { Created } from '../../common/http/created.decorator';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { BookingResponseDto } from '../bookings/dto/booking-response.dto';
import { ApiIdempotencyKey, IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { UserEntity } from '../users/entities/user.entity';
import { PURCHASE_EXAMPLES } from '../bookings/dto/create-booking.dto';
import { CreateHoldDto } from './dto/create-hold.dto';
import { HoldResponseDto, toHoldResponse } from './dto/hold-response.dto';
import { HoldsService } from './holds.service';

@ApiTags('holds')
@Controller('holds')
export class HoldsController {
  constructor(private readonly holds: HoldsService) {}

  /**
   * Hold seats
   * @remarks Any signed-in user holds for themself; an admin may hold for another user (`user_id`).
   * Keeps the seats for `HOLD_TTL_SECONDS` at today's price while the buyer pays, with the same
   * refusals as a booking; one active hold per user and event (`409 HOLD_EXISTS`). Seats of a hold
   * that expires are free again within 5 seconds. With a payment provider, a customer holds only
   * free tickets (`409 PAYMENT_REQUIRED`: priced ones are bought through an order). Accepts an
   * `Idempotency-Key`.
   */
  @Authenticated()
  @Post()
  @Created(HoldResponseDto)
  @ApiErrors(
    'FORBIDDEN',
    'NOT_FOUND',
    'INSUFFICIENT_TICKETS',
    'EVENT_NOT_BOOKABLE',
    'HOLD_EXISTS',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENT_REQUIRED',
  )
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateHoldDto, examples: PURCHASE_EXAMPLES })
  createHold(
    @Body() dto: CreateHoldDto,
    @CurrentUser() caller: UserEntity,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<HoldResponseDto> {
    return this.holds.create(dto, caller, idempotencyKey);
  }

  /**
   * Get a hold
   * @remarks Its owner or an admin. `status` is `expired` as soon as `expires_at` has passed.
   */
  @Authenticated()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: HoldResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async getHold(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<HoldResponseDto> {
    return toHoldResponse(await this.holds.get(id, caller));
  }

  /**
   * Confirm a hold
   * @remarks Its owner or an admin, once the payment succeeded. Turns the hold into a booking with
   * its tickets (`201`); confirming it again answers `200` with the same booking. An expired hold
   * is confirmed only while its seats can be taken again, else `409 HOLD_EXPIRED`. With a payment
   * provider, a customer's priced hold is `409 PAYMENT_REQUIRED` (an admin may: a box office).
   */
  @Authenticated()
  @Post(':id/confirm')
  @ApiIdParam()
  @ApiCreatedResponse({
    type: BookingResponseDto,
    description: 'Confirmed: the booking it made',
    headers: {
      Location: {
        description: 'URL of the booking',
        schema: { type: 'string', format: 'uri-reference', maxLength: 2048 },
      },
    },
  })
  @ApiOkResponse({ type: BookingResponseDto, description: 'Confirmed before: the booking it made then' })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'HOLD_NOT_ACTIVE', 'HOLD_EXPIRED', 'EVENT_NOT_BOOKABLE', 'PAYMENT_REQUIRED')
  async confirmHold(
    @Param('id', IdPipe) id: number,
    @CurrentUser() caller: UserEntity,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BookingResponseDto> {
    const { booking, created } = await this.holds.confirm(id, caller);
    if (created) res.location(`/${API_PREFIX}/bookings/${booking.id}`);
    else res.status(200);
    return booking;
  }

  /**
   * Release a hold
   * @remarks Its owner or an admin. Frees the hold's seats at once; releasing a released or expired
   * hold changes nothing.
   */
  @Authenticated()
  @Delete(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: HoldResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'HOLD_NOT_ACTIVE')
  async releaseHold(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<HoldResponseDto> {
    return toHoldResponse(await this.holds.release(id, caller));
  }
}
