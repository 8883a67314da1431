import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/env';
import { InitialSchema1764000000000 } from '../../migrations/1764000000000-initial-schema';
import { IdempotencyKeys1795535564353 } from '../../migrations/1795535564353-idempotency-keys';
import { SeatLedger1795651556646 } from '../../migrations/1795651556646-seat-ledger';
import { Holds1795652708247 } from '../../migrations/1795652708247-holds';
import { TicketTypes1795660180380 } from '../../migrations/1795660180380-ticket-types';
import { Waitlist1795664863736 } from '../../migrations/1795664863736-waitlist';
import { Webhooks1795668850599 } from '../../migrations/1795668850599-webhooks';
import { Orders1796306627296 } from '../../migrations/1796306627296-orders';
import { Payments1796314774880 } from '../../migrations/1796314774880-payments';
import { PromoCodes1796323692497 } from '../../migrations/1796323692497-promo-codes';
import { BookingEntity } from '../modules/bookings/entities/booking.entity';
import { IdempotencyKeyEntity } from '../modules/idempotency/idempotency-key.entity';
import { EventEntity } from '../modules/events/entities/event.entity';
import { TicketTypeEntity } from '../modules/events/entities/ticket-type.entity';
import { HoldEntity } from '../modules/holds/entities/hold.entity';
import { OrderEntity } from '../modules/orders/entities/order.entity';
import { InstallationEntity } from '../modules/payments/entities/installation.entity';
import { PaymentEntity } from '../modules/payments/entities/payment.entity';
import { ProviderEventEntity } from '../modules/payments/entities/provider-event.entity';
import { RefundEntity } from '../modules/payments/entities/refund.entity';
import { PromoCodeEntity } from '../modules/promo-codes/entities/promo-code.entity';
import { TicketEntity } from '../modules/tickets/entities/ticket.entity';
import { UserEntity } from '../modules/users/entities/user.entity';
import { WaitlistEntryEntity } from '../modules/waitlist/entities/waitlist-entry.entity';
import { WebhookDeliveryEntity } from '../modules/webhooks/entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../modules/webhooks/entities/webhook-endpoint.entity';
import { WebhookMessageEntity } from '../modules/webhooks/entities/webhook-message.entity';

export const entities = [
  UserEntity,
  EventEntity,
  BookingEntity,
  TicketEntity,
  IdempotencyKeyEntity,
  HoldEntity,
  TicketTypeEntity,
  WaitlistEntryEntity,
  WebhookEndpointEntity,
  WebhookMessageEntity,
  WebhookDeliveryEntity,
  OrderEntity,
  RefundEntity,
  PaymentEntity,
  ProviderEventEntity,
  InstallationEntity,
  PromoCodeEntity,
];
export const migrations = [
  InitialSchema1764000000000,
  IdempotencyKeys1795535564353,
  SeatLedger1795651556646,
  Holds1795652708247,
  TicketTypes1795660180380,
  Waitlist1795664863736,
  Webhooks1795668850599,
  Orders1796306627296,
  Payments1796314774880,
  PromoCodes1796323692497,
];

/** The API's pool; migrations and seeds give only a size, so a long migration is never cut short. */
export type PoolSettings = Pick<DatabaseConfig, 'poolSize'> &
  Partial<Pick<DatabaseConfig, 'statementTimeoutMs' | 'lockTimeoutMs' | 'connectTimeoutMs'>>;

/** The one set of TypeORM options, shared by the API, the migration CLI, seeds and tests. */
export function typeOrmOptions(url: string, pool: PoolSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    connectTimeoutMS: pool.connectTimeoutMs,
    extra: {
      max: pool.poolSize,
      statement_timeout: pool.statementTimeoutMs,
      lock_timeout: pool.lockTimeoutMs,
      // The seat statements are named prepared statements (see SALE_STATEMENT): planned once per
      // connection for any parameters, where a plan per execution would cost more than the sale.
      options: '-c plan_cache_mode=force_generic_plan',
    },
  };
}
