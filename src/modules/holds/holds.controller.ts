import { Body, Controller, Delete, Get, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { API_PREFIX } from '../../common/http/api-prefix';
import { Created } from '../../common/http/created.decorator';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Authenticated, CurrentUser } from '../auth/auth.decorators';
import { BookingResponseDto } from '../bookings/dto/booking-response.dto';
import { ApiIdempotencyKey, IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { UserEntity } from '../users/entities/user.entity';
import { CreateHoldDto } from './dto/create-hold.dto';
import { HoldResponseDto, toHoldResponse } from './dto/hold-response.dto';
import { HoldsService } from './holds.service';

@ApiTags('holds')
@Controller('holds')
export class HoldsController {
  constructor(private readonly holds: HoldsService) {}

  /** Keeps seats for the caller, or (admin) for another user, while they pay; they are freed when the hold expires. */
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
  )
  @ApiIdempotencyKey()
  createHold(
    @Body() dto: CreateHoldDto,
    @CurrentUser() caller: UserEntity,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<HoldResponseDto> {
    return this.holds.create(dto, caller, idempotencyKey);
  }

  /** A hold: its owner or an admin. */
  @Authenticated()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: HoldResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async getHold(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<HoldResponseDto> {
    return toHoldResponse(await this.holds.get(id, caller));
  }

  /**
   * Turns the hold into a booking with its tickets (its owner or an admin, once the payment
   * succeeded). Confirming it again answers 200 with the same booking.
   */
  @Authenticated()
  @Post(':id/confirm')
  @ApiIdParam()
  @ApiCreatedResponse({
    type: BookingResponseDto,
    description: 'Confirmed: the booking it made',
    headers: { Location: { description: 'URL of the booking', schema: { type: 'string', maxLength: 2048 } } },
  })
  @ApiOkResponse({ type: BookingResponseDto, description: 'Confirmed before: the booking it made then' })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'HOLD_NOT_ACTIVE', 'HOLD_EXPIRED', 'EVENT_NOT_BOOKABLE')
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

  /** Frees the hold's seats (its owner or an admin); releasing a released or expired hold changes nothing. */
  @Authenticated()
  @Delete(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: HoldResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'HOLD_NOT_ACTIVE')
  async releaseHold(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<HoldResponseDto> {
    return toHoldResponse(await this.holds.release(id, caller));
  }
}
