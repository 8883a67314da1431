import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, Not } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { CreatedWebhookResponseDto, toWebhookResponse } from './dto/webhook-response.dto';
import { DeliveryStatus, WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { webhookUrlProblem } from './webhook-url';

/** Webhook endpoints (admin): where messages go, which, and the log of their deliveries. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Registers an endpoint with a new secret, returned this once. */
  async create(dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    this.assertUrl(dto.url);
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const endpoints = this.db.getRepository(WebhookEndpointEntity);
    const endpoint = await endpoints.save(endpoints.create({ ...dto, description: dto.description ?? null, secret }));
    return { ...toWebhookResponse(endpoint), secret };
  }

  async list({ limit, offset }: PaginationQueryDto): Promise<Page<WebhookEndpointEntity>> {
    const [items, total] = await this.db
      .getRepository(WebhookEndpointEntity)
      .findAndCount({ order: { id: 'ASC' }, take: limit, skip: offset });
    return { items, total };
  }

  async get(id: number): Promise<WebhookEndpointEntity> {
    const endpoint = await this.db.getRepository(WebhookEndpointEntity).findOneBy({ id });
    if (!endpoint) throw AppError.notFound('Webhook', id);
    return endpoint;
  }

  /** Partial update; turning an endpoint on again clears why the API had turned it off. */
  async update(id: number, dto: UpdateWebhookDto): Promise<WebhookEndpointEntity> {
    if (dto.url !== undefined) this.assertUrl(dto.url);
    const { active, ...fields } = dto;
    const endpoint = Object.assign(await this.get(id), fields);
    if (active !== undefined) Object.assign(endpoint, { active, disabledReason: null });
    return this.db.getRepository(WebhookEndpointEntity).save(endpoint);
  }

  /** Deletes the endpoint and its deliveries; its messages stay with the other endpoints'. */
  async remove(id: number): Promise<void> {
    const { affected } = await this.db.getRepository(WebhookEndpointEntity).delete({ id });
    if (!affected) throw AppError.notFound('Webhook', id);
  }

  /** The endpoint's deliveries, newest first. */
  async deliveries(id: number, { limit, offset }: PaginationQueryDto): Promise<Page<WebhookDeliveryEntity>> {
    await this.get(id);
    const [items, total] = await this.db.getRepository(WebhookDeliveryEntity).findAndCount({
      where: { endpointId: id },
      relations: { message: true },
      order: { id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  /**
   * Sends a delivered or failed message again, as a new series of attempts with the same
   * `webhook-id` (receivers that deduplicate see it once); a pending one is on its way already.
   */
  async redeliver(id: number, deliveryId: number): Promise<WebhookDeliveryEntity> {
    await this.get(id);
    const deliveries = this.db.getRepository(WebhookDeliveryEntity);
    const { affected } = await deliveries.update(
      { id: deliveryId, endpointId: id, status: Not(DeliveryStatus.Pending) },
      { status: DeliveryStatus.Pending, attempts: 0, nextAttemptAt: () => 'now()' },
    );
    const delivery = await deliveries.findOne({
      where: { id: deliveryId, endpointId: id },
      relations: { message: true },
    });
    if (!delivery) throw AppError.notFound('Delivery', deliveryId);
    if (!affected)
      throw new AppError('DELIVERY_PENDING', `Delivery ${deliveryId} is pending: it is on its way already`);
    return delivery;
  }

  private assertUrl(url: string): void {
    const problem = webhookUrlProblem(url, this.config.webhooks.allowPrivateUrls);
    if (problem) throw AppError.validation([{ field: 'url', message: problem }]);
  }
}
