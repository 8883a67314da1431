import { ApiProperty } from '@nestjs/swagger';
import { ApiMoney } from '../../../common/money';
import { MAX_TICKET_TYPES } from '../../events/ticket-types.service';
import { DiscountType, PromoCodeEntity } from '../entities/promo-code.entity';

export class PromoCodeResponseDto {
  @ApiProperty({ type: 'integer', example: 1 })
  id: number;
  @ApiProperty({ type: 'integer', example: 2 })
  event_id: number;
  /** As created; orders may send it in any case. */
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', example: 'STUDENT20' })
  code: string;
  @ApiProperty({ enum: DiscountType, enumName: 'DiscountType', example: DiscountType.Percent })
  discount_type: DiscountType;
  /** The percent, or the money off, or the price, per ticket, as a decimal string. */
  @ApiMoney('20.00')
  discount_value: string;
  /** The ticket types it discounts and unlocks; null: every type that is not hidden. */
  @ApiProperty({ type: 'integer', isArray: true, nullable: true, maxItems: MAX_TICKET_TYPES, example: [7] })
  ticket_type_ids: number[] | null;
  /** null: no limit. */
  @ApiProperty({ type: 'integer', nullable: true, example: 100 })
  max_uses: number | null;
  /** Tickets of pending and paid orders that used it. */
  @ApiProperty({ type: 'integer', example: 1 })
  uses: number;
  /** @example null */
  valid_from: Date | null;
  /** @example null */
  valid_until: Date | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export function toPromoCodeResponse(code: PromoCodeEntity): PromoCodeResponseDto {
  return {
    id: code.id,
    event_id: code.eventId,
    code: code.code,
    discount_type: code.discountType,
    discount_value: code.discountValue,
    ticket_type_ids: code.ticketTypeIds,
    max_uses: code.maxUses,
    uses: code.uses,
    valid_from: code.validFrom,
    valid_until: code.validUntil,
    active: code.active,
    created_at: code.createdAt,
    updated_at: code.updatedAt,
  };
}
