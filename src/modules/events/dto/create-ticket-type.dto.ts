import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { IsInteger } from '../../../common/http/integer.decorator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { Trim } from '../../../common/http/trim.decorator';
import { ApiMoneyInput, IsMoney } from '../../../common/money';

export class CreateTicketTypeDto {
  /** @example VIP */
  @Trim()
  @IsString()
  @Length(1, 255)
  name: string;

  /** 0 to 99999999.99, at most two decimals; a string or a number. */
  @ApiMoneyInput('4500.00')
  @IsMoney()
  price: string;

  /**
   * At most this many of the event's seats sold and held as this type; absent or `null`: the
   * event's capacity alone.
   */
  @IsOptional()
  @IsInteger(0, 1_000_000)
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 1_000_000, nullable: true, example: 200 })
  quota?: number | null;

  /**
   * Listed to admins only, and sold only to an order whose promo code names it (never by a
   * booking, a hold or a waiting list); not the default type. Default `false`.
   */
  @Omittable()
  @IsBoolean()
  hidden?: boolean;
}
