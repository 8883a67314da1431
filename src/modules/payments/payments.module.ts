import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { SeatsModule } from '../seats/seats.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { InstallationEntity } from './entities/installation.entity';
import { PaymentEntity } from './entities/payment.entity';
import { ProviderEventEntity } from './entities/provider-event.entity';
import { RefundEntity } from './entities/refund.entity';
import { Installation } from './installation';
import { IntentReconciler } from './intent-reconciler';
import { PaymentsService } from './payments.service';
import { RefundDispatcher } from './refund-dispatcher';
import { StripeGateway } from './stripe-gateway';
import { StripeWebhookController } from './stripe-webhook.controller';

/**
 * Payments: the provider (Stripe, through its SDK), each order's payment attempts, the provider's
 * events acted on once, and refunds sent from an outbox (RefundDispatcher), with the intents of
 * orders that ended unpaid settled at the provider (IntentReconciler).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([PaymentEntity, ProviderEventEntity, RefundEntity, InstallationEntity]),
    EventsModule,
    SeatsModule,
    WebhooksModule,
  ],
  controllers: [StripeWebhookController],
  providers: [StripeGateway, Installation, PaymentsService, RefundDispatcher, IntentReconciler],
  exports: [PaymentsService],
})
export class PaymentsModule {}
