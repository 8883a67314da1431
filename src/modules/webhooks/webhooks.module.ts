import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { WebhookMessageEntity } from './entities/webhook-message.entity';
import { Outbox } from './outbox';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Webhooks: endpoints (admin), messages written to an outbox in the transaction of each change
 * they report (Outbox, outboxMessages), and their delivery from every API process (WebhookDispatcher).
 */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpointEntity, WebhookMessageEntity, WebhookDeliveryEntity])],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookDispatcher, Outbox],
  exports: [Outbox],
})
export class WebhooksModule {}
