import { IsInteger } from '../../../common/http/integer.decorator';
import { Omittable } from '../../../common/http/omittable.decorator';

export class JoinWaitlistDto {
  /**
   * Seats wanted together: 1 to the per-booking maximum in force (BOOKING_MAX_QUANTITY).
   * @example 2
   */
  @IsInteger(1, 100)
  quantity: number;

  /** A ticket type of the event; defaults to the event's default type. */
  @Omittable()
  @IsInteger(1)
  ticket_type_id?: number;
}
