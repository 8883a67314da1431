import { ApiProperty } from '@nestjs/swagger';

const STRIPE_ID = { type: 'string', maxLength: 255, pattern: '^[A-Za-z0-9_]+$' } as const;

/**
 * A Stripe event (https://docs.stripe.com/api/events/object), as Stripe signs and sends it; only
 * the fields the API reads. The body is read raw, and its signature checked before anything else.
 */
export class StripeEventDto {
  @ApiProperty({ maxLength: 255, pattern: '^[A-Za-z0-9_:-]+$', example: 'evt_1Q0abc' })
  id: string;
  @ApiProperty({ maxLength: 100, pattern: '^[a-z_.]+$', example: 'payment_intent.succeeded' })
  type: string;
  /** `object`: what the event is about (a PaymentIntent, a Charge or a Refund), with Stripe's fields for it. */
  @ApiProperty({
    type: 'object',
    required: ['object'],
    properties: {
      object: {
        type: 'object',
        required: ['id', 'object'],
        properties: { id: STRIPE_ID, object: { type: 'string', maxLength: 100, pattern: '^[a-z_.]+$' } },
      },
    },
  })
  data: { object: { id: string; object: string } };
}

/** A payment's success, as Stripe sends it: the example of the webhook route. */
export const STRIPE_EVENT_EXAMPLES = {
  succeeded: {
    summary: 'A PaymentIntent succeeded',
    value: {
      id: 'evt_1Q0abc',
      type: 'payment_intent.succeeded',
      data: {
        object: { id: 'pi_3Q0abc', object: 'payment_intent' },
      },
    },
  },
};
