import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ApiMoney } from '../../../common/money';
import { OrderStatus } from '../entities/order.entity';
import { RefundStatus } from '../../payments/entities/refund.entity';

/**
 * The shape of an order in the API, for the OpenAPI document: the object itself is built in SQL
 * (orderJson in the seats unit), once, for reads and webhook messages alike.
 */
/** A payment provider's identifier: `pi_3Q…`, `re_3Q…`, `pi_3Q…_secret_…`. */
const PROVIDER_ID = '^[A-Za-z0-9_]+$';

export class OrderLineDto {
  @ApiProperty({ type: 'integer', example: 1 })
  ticket_type_id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;
  @ApiMoney('1500.00')
  unit_price: string;
  @ApiMoney('0.00')
  discount_amount: string;
  /** `unit_price × quantity − discount_amount`: what the line's booking costs. */
  @ApiMoney('3000.00')
  amount: string;
}

export class PaymentDto {
  @ApiProperty({ enum: ['stripe', 'manual'], example: 'manual' })
  provider: string;
  @ApiProperty({ enum: ['requires_payment', 'succeeded', 'failed'], example: 'succeeded' })
  status: string;
  /** The provider's id of the payment; null for a manual one. */
  @ApiProperty({ type: String, nullable: true, maxLength: 255, pattern: PROVIDER_ID, example: null })
  reference: string | null;
  /** For the buyer's browser to complete the payment: only to the order's owner, only while it is pending. */
  @ApiProperty({ type: String, nullable: true, maxLength: 255, pattern: PROVIDER_ID, example: null })
  client_secret: string | null;
}

export class RefundDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  /** The booking cancelled; null for a whole payment given back, or a refund made outside the API. */
  @ApiProperty({ type: 'integer', nullable: true, example: 3 })
  booking_id: number | null;
  @ApiMoney('1500.00')
  amount: string;
  @ApiProperty({ enum: RefundStatus, enumName: 'RefundStatus', example: RefundStatus.Succeeded })
  status: RefundStatus;
  /** The payment provider's id of the refund; null until it is sent, and without a provider. */
  @ApiProperty({ type: String, nullable: true, maxLength: 255, pattern: PROVIDER_ID, example: null })
  reference: string | null;
  created_at: Date;
}

@ApiExtraModels(PaymentDto)
export class OrderResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  user_id: number;
  @ApiProperty({ type: 'integer', example: 1 })
  event_id: number;
  /** `expired` as soon as `expires_at` has passed while it was pending. */
  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus', example: OrderStatus.Pending })
  status: OrderStatus;
  @ApiProperty({ type: [OrderLineDto], minItems: 1, maxItems: 20 })
  lines: OrderLineDto[];
  /** The seats of all its lines. */
  @ApiProperty({ type: 'integer', example: 3 })
  quantity: number;
  @ApiMoney('4500.00')
  subtotal_amount: string;
  @ApiMoney('0.00')
  discount_amount: string;
  /** What is charged: `subtotal_amount − discount_amount`. */
  @ApiMoney('4500.00')
  total_amount: string;
  /** What its refunds add up to. */
  @ApiMoney('0.00')
  refunded_amount: string;
  /** The promo code applied; null without one. */
  @ApiProperty({ type: String, nullable: true, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', example: null })
  promo_code: string | null;
  /** Until when its seats are held while it is pending. */
  expires_at: Date;
  /** @example null */
  paid_at: Date | null;
  /**
   * Its latest payment attempt: a Stripe PaymentIntent (`reference`, and for its buyer while it
   * is pending `client_secret`, for Stripe.js) or a `manual` payment; null when none was made (a
   * free order, or no payment provider).
   */
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(PaymentDto) }, { type: 'object', nullable: true, enum: [null] }],
    example: { provider: 'manual', status: 'succeeded', reference: null, client_secret: null },
  })
  payment: object | null;
  /** One booking per line, in line order, once paid. */
  @ApiProperty({ type: 'integer', isArray: true, maxItems: 20, example: [] })
  booking_ids: number[];
  /** Per cancelled booking, and per payment given back whole (late, mismatched) or refunded outside the API. */
  @ApiProperty({ type: [RefundDto], maxItems: 100 })
  refunds: RefundDto[];
  created_at: Date;
  updated_at: Date;
}
