import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { API_PREFIX } from '../../common/http/api-prefix';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { Page } from '../../common/pagination/pagination-query.dto';
import { AdminOnly, Authenticated, CurrentUser } from '../auth/auth.decorators';
import { ApiIdempotencyKey, IdempotencyKey } from '../idempotency/idempotency-key.decorator';
import { UserEntity } from '../users/entities/user.entity';
import { CreateOrderDto, ORDER_EXAMPLES } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderResponseDto } from './dto/order-response.dto';
import { OrdersService } from './orders.service';

const LOCATION = {
  Location: { description: 'URL of the order', schema: { type: 'string', format: 'uri-reference', maxLength: 2048 } },
};

@ApiTags('orders')
@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /**
   * Place an order
   * @remarks Any signed-in user orders for themself; an admin may order for another user
   * (`user_id`). Holds every line (1 to 20, each of another ticket type of the event) or none:
   * a line that does not fit is `409 INSUFFICIENT_TICKETS` naming its type, and nothing is held.
   * The order is `pending` for `HOLD_TTL_SECONDS`, the user's one active hold for the event
   * (`409 HOLD_EXISTS`); one whose total is `0.00` is `paid` at once. With a payment provider, a
   * priced order gets a payment intent (`payment`, its `client_secret` for Stripe.js); should the
   * provider refuse (`409 PAYMENT_REJECTED`) or fail (`502 PAYMENT_PROVIDER_UNAVAILABLE`), the
   * order is cancelled and its seats freed. A `promo_code` of the event discounts the lines of its
   * ticket types, a use per ticket, and is the one way to buy a hidden type it names; a code that
   * is unknown, inactive, not yet or no longer valid, used up or for none of the order's types is
   * `409 PROMO_CODE_INVALID`, saying which, and nothing is held. Accepts an `Idempotency-Key`.
   */
  @Authenticated()
  @Post('orders')
  @ApiCreatedResponse({ type: OrderResponseDto, headers: LOCATION })
  @ApiErrors(
    'FORBIDDEN',
    'NOT_FOUND',
    'INSUFFICIENT_TICKETS',
    'EVENT_NOT_BOOKABLE',
    'HOLD_EXISTS',
    'PROMO_CODE_INVALID',
    'IDEMPOTENCY_KEY_REUSED',
    'PAYMENT_REJECTED',
    'PAYMENT_PROVIDER_UNAVAILABLE',
  )
  @ApiIdempotencyKey()
  @ApiBody({ type: CreateOrderDto, examples: ORDER_EXAMPLES })
  async createOrder(
    @Body() dto: CreateOrderDto,
    @CurrentUser() caller: UserEntity,
    @Res({ passthrough: true }) res: Response,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<OrderResponseDto> {
    const order = await this.orders.create(dto, caller, idempotencyKey);
    res.location(`/${API_PREFIX}/orders/${order.id}`);
    return order;
  }

  /**
   * Get an order
   * @remarks Its owner or an admin. `status` is `expired` as soon as `expires_at` has passed
   * while it was pending; `payment.client_secret` is shown to its owner while it is pending.
   */
  @Authenticated()
  @Get('orders/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  getOrder(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<OrderResponseDto> {
    return this.orders.get(id, caller);
  }

  /**
   * List a user's orders
   * @remarks That user or an admin. Newest first, optionally of one `status`; paginated.
   */
  @Authenticated()
  @Get('orders/user/:user_id')
  @ApiIdParam('user_id')
  @Paginated(OrderResponseDto)
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  listUserOrders(
    @Param('user_id', IdPipe) userId: number,
    @Query() query: ListOrdersQueryDto,
    @CurrentUser() caller: UserEntity,
  ): Promise<Page<OrderResponseDto>> {
    return this.orders.listForUser(userId, query, caller);
  }

  /**
   * List an event's orders
   * @remarks Admin only. Newest first, optionally of one `status`; paginated.
   */
  @AdminOnly()
  @Get('events/:id/orders')
  @ApiIdParam()
  @Paginated(OrderResponseDto)
  @ApiErrors('NOT_FOUND')
  listEventOrders(
    @Param('id', IdPipe) eventId: number,
    @Query() query: ListOrdersQueryDto,
  ): Promise<Page<OrderResponseDto>> {
    return this.orders.listForEvent(eventId, query);
  }

  /**
   * Pay an order
   * @remarks Its owner or an admin, once the payment succeeded; with a payment provider an admin
   * only, for a payment made outside the API (a box office: `payment.provider` `manual`), its
   * owner getting `409 PAYMENT_REQUIRED`. One booking per line with its tickets, each costing its
   * line's `amount` (`201`); confirming it again answers `200` with the same order. An expired
   * order is paid only while all its seats can be taken again, else `409 ORDER_EXPIRED`; a
   * cancelled or refunded one is `409 ORDER_NOT_PENDING`.
   */
  @Authenticated()
  @Post('orders/:id/confirm')
  @ApiIdParam()
  @ApiCreatedResponse({ type: OrderResponseDto, description: 'Paid: its bookings in `booking_ids`' })
  @ApiOkResponse({ type: OrderResponseDto, description: 'Paid before: the order as it is' })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'ORDER_NOT_PENDING', 'ORDER_EXPIRED', 'EVENT_NOT_BOOKABLE', 'PAYMENT_REQUIRED')
  async confirmOrder(
    @Param('id', IdPipe) id: number,
    @CurrentUser() caller: UserEntity,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OrderResponseDto> {
    const { order, created } = await this.orders.confirm(id, caller);
    if (!created) res.status(200);
    return order;
  }

  /**
   * Start paying an order
   * @remarks Its owner only, with a payment provider (`404` without one). The order with a payment
   * intent to pay with Stripe.js (`payment.client_secret`): the one it has while that can still
   * succeed, or a new one when it has none or the last one failed (a retry, a waiting-list
   * offer). Should the provider refuse (`409 PAYMENT_REJECTED`) or fail (`502
   * PAYMENT_PROVIDER_UNAVAILABLE`), the order is cancelled and its seats freed. The order is paid
   * when Stripe reports the payment (`POST /payments/stripe/webhook`); not pending: `409
   * ORDER_NOT_PENDING`.
   */
  @Authenticated()
  @Post('orders/:id/payment')
  @HttpCode(200)
  @ApiIdParam()
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'ORDER_NOT_PENDING', 'PAYMENT_REJECTED', 'PAYMENT_PROVIDER_UNAVAILABLE')
  payOrder(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<OrderResponseDto> {
    return this.orders.startPayment(id, caller);
  }

  /**
   * Cancel an order
   * @remarks Its owner or an admin, all or nothing. A pending order is `cancelled` and its seats
   * freed; a paid one has every booking cancelled and refunded and becomes `refunded` (a customer
   * only before `REFUND_CUTOFF_SECONDS` ahead of the event, else `409 REFUND_NOT_ALLOWED`; with a
   * checked-in ticket `409 INVALID_STATUS_TRANSITION`). Again: no change; expired: `409
   * ORDER_NOT_PENDING`.
   */
  @Authenticated()
  @Post('orders/:id/cancel')
  @HttpCode(200)
  @ApiIdParam()
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND', 'ORDER_NOT_PENDING', 'REFUND_NOT_ALLOWED', 'INVALID_STATUS_TRANSITION')
  cancelOrder(@Param('id', IdPipe) id: number, @CurrentUser() caller: UserEntity): Promise<OrderResponseDto> {
    return this.orders.cancel(id, caller);
  }
}
