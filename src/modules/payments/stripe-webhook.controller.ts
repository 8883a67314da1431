import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request } from 'express';
import { AppError } from '../../common/errors/app-error';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Public } from '../auth/auth.decorators';
import { ReceivedDto } from './dto/received.dto';
import { STRIPE_EVENT_EXAMPLES, StripeEventDto } from './dto/stripe-event.dto';
import { PaymentsService } from './payments.service';
import { StripeGateway } from './stripe-gateway';

@ApiTags('payments')
@Controller('payments')
export class StripeWebhookController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly stripe: StripeGateway,
  ) {}

  /**
   * Receive a Stripe event
   * @remarks Public, for Stripe: no token, but the `Stripe-Signature` header, checked against
   * `STRIPE_WEBHOOK_SECRET` over the raw body (300 s tolerance, else `400 INVALID_SIGNATURE` and
   * nothing changes); `404` without `PAYMENT_PROVIDER=stripe`. Register this URL in Stripe's
   * dashboard for `payment_intent.succeeded`, `payment_intent.payment_failed`, `charge.refunded`,
   * `refund.updated` and `refund.failed`. Each event `id` is acted on once however often it
   * arrives (`200` again); any other type is `200`, ignored. An effect that could not be made
   * now is `503` with nothing kept, so Stripe sends the event again.
   */
  @Public()
  @SkipThrottle()
  @Post('stripe/webhook')
  @HttpCode(200)
  @ApiHeader({
    name: 'Stripe-Signature',
    required: true,
    description: 'The timestamp and HMAC-SHA256 signatures Stripe puts on each event (`t=…,v1=…`)',
    schema: { type: 'string', maxLength: 2048, pattern: '^[A-Za-z0-9=,]+$' },
  })
  @ApiBody({ type: StripeEventDto, examples: STRIPE_EVENT_EXAMPLES })
  @ApiOkResponse({ type: ReceivedDto, description: 'Acted on, or ignored' })
  @ApiErrors('INVALID_SIGNATURE', 'VALIDATION_FAILED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE')
  async receiveStripeEvent(@Req() req: Request & { rawBody?: Buffer }): Promise<ReceivedDto> {
    if (!this.payments.required) throw AppError.notFound('Payment provider', 'stripe');
    await this.payments.receive(this.stripe.verify(req.rawBody, req.header('stripe-signature')));
    return { received: true };
  }
}
