import { IsInteger } from '../../../common/http/integer.decorator';
import { Omittable } from '../../../common/http/omittable.decorator';

/** Purchases (a booking or a hold) that work on the sample data, a customer's first, for the docs. */
export const PURCHASE_EXAMPLES = {
  customer: { summary: 'Two seats for the caller', value: { event_id: 1, quantity: 2 } },
  admin: {
    summary: 'An admin buying two VIP seats for a customer',
    value: { user_id: 2, event_id: 1, ticket_type_id: 6, quantity: 2 },
  },
};

export class CreateBookingDto {
  /** Whom the booking is for; defaults to the caller. Only an admin may book for someone else. */
  @Omittable()
  @IsInteger(1)
  user_id?: number;

  @IsInteger(1)
  event_id: number;

  /** A ticket type of the event (see its ticket types); defaults to the event's default type. */
  @Omittable()
  @IsInteger(1)
  ticket_type_id?: number;

  /**
   * 1 to the per-booking maximum in force (BOOKING_MAX_QUANTITY, default 10), which is never over 100.
   * @example 2
   */
  @IsInteger(1, 100)
  quantity: number;
}
