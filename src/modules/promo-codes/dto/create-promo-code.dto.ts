import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsDateTime } from '../../../common/date-time';
import { IsInteger, MAX_INT } from '../../../common/http/integer.decorator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { Trim } from '../../../common/http/trim.decorator';
import { ApiMoneyInput, IsMoney } from '../../../common/money';
import { MAX_TICKET_TYPES } from '../../events/ticket-types.service';
import { DiscountType } from '../entities/promo-code.entity';

/** A promo code's text: 3 to 64 letters, digits, `_` or `-`, matched whatever its case. */
export const PROMO_CODE_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;

/** Codes that work on the sample data, for the docs. */
export const PROMO_CODE_EXAMPLES = {
  friends: {
    summary: '10% off VIP tickets, for the first 50',
    value: { code: 'FRIENDS10', discount_type: 'percent', discount_value: 10, ticket_type_ids: [6], max_uses: 50 },
  },
  crew: {
    summary: 'Free tickets of a hidden Crew type, id 8 (at least 8 characters: it unlocks a hidden type)',
    value: { code: 'CREW-7Q2X9K', discount_type: 'price', discount_value: '0.00', ticket_type_ids: [8], max_uses: 20 },
  },
  earlyBird: {
    summary: '100.00 off every ticket during the first week',
    value: {
      code: 'EARLYBIRD',
      discount_type: 'amount',
      discount_value: '100.00',
      valid_from: '2027-01-01T00:00:00Z',
      valid_until: '2027-01-08T00:00:00Z',
    },
  },
};

export class CreatePromoCodeDto {
  /**
   * Unique within the event whatever its case; at least 8 characters when it unlocks a hidden
   * type or can bring a ticket to 0.00.
   * @example STUDENT20
   */
  @ApiProperty({ minLength: 3, maxLength: 64, pattern: PROMO_CODE_PATTERN.source })
  @Trim()
  @IsString()
  @Matches(PROMO_CODE_PATTERN, { message: 'code must be 3 to 64 letters, digits, _ or -' })
  code: string;

  /** `percent` off each ticket, an `amount` of money off each ticket, or each ticket at a `price`. */
  @ApiProperty({ enum: DiscountType, enumName: 'DiscountType', example: DiscountType.Percent })
  @IsEnum(DiscountType)
  discount_type: DiscountType;

  /** For `percent` a whole number from 1 to 100; otherwise money, a string or a number. */
  @ApiMoneyInput('20')
  @IsMoney()
  discount_value: string;

  /**
   * The ticket types of the event it discounts, and the hidden ones it unlocks; absent or `null`:
   * every type that is not hidden.
   */
  @ApiProperty({ type: 'integer', isArray: true, nullable: true, minItems: 1, maxItems: MAX_TICKET_TYPES })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TICKET_TYPES)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_INT, { each: true })
  ticket_type_ids?: number[] | null;

  /** At most this many tickets in pending and paid orders; absent or `null`: no limit. */
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1_000_000, nullable: true, example: 100 })
  @IsOptional()
  @IsInteger(1, 1_000_000)
  max_uses?: number | null;

  /** Usable from this moment; absent or `null`: at once. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  @IsOptional()
  @IsDateTime()
  valid_from?: Date | null;

  /** Usable until this moment (excluded); absent or `null`: until the event. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  @IsOptional()
  @IsDateTime()
  valid_until?: Date | null;

  /** `false`: no order can use it. Default `true`. */
  @Omittable()
  @IsBoolean()
  active?: boolean;
}
