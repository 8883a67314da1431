import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Created } from '../../common/http/created.decorator';
import { DeletedResponseDto } from '../../common/http/deleted-response.dto';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { mapPage, Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AdminOnly } from '../auth/auth.decorators';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { toWebhookDeliveryResponse, WebhookDeliveryResponseDto } from './dto/webhook-delivery-response.dto';
import { CreatedWebhookResponseDto, toWebhookResponse, WebhookResponseDto } from './dto/webhook-response.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@AdminOnly()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * Register a webhook endpoint
   * @remarks Admin only. The endpoint receives a signed POST (Standard Webhooks) for each change of
   * the types it names. The response carries its signing secret, this once only: keep it to verify
   * messages.
   */
  @Post()
  @Created(CreatedWebhookResponseDto)
  @ApiBody({
    type: CreateWebhookDto,
    examples: {
      orders: {
        summary: 'Bookings to an order system',
        value: {
          url: 'https://shop.example.com/hooks/ticketing',
          events: ['booking.confirmed', 'booking.cancelled'],
          description: 'Order sync',
        },
      },
    },
  })
  createWebhook(@Body() dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.create(dto);
  }

  /**
   * List webhook endpoints
   * @remarks Admin only. Every endpoint, oldest first, without secrets; paginated.
   */
  @Get()
  @Paginated(WebhookResponseDto)
  async listWebhooks(@Query() page: PaginationQueryDto): Promise<Page<WebhookResponseDto>> {
    return mapPage(await this.webhooks.list(page), toWebhookResponse);
  }

  /**
   * Get a webhook endpoint
   * @remarks Admin only. The endpoint, without its secret, with why it was turned off if it was.
   */
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrors('NOT_FOUND')
  async getWebhook(@Param('id', IdPipe) id: number): Promise<WebhookResponseDto> {
    return toWebhookResponse(await this.webhooks.get(id));
  }

  /**
   * Update a webhook endpoint
   * @remarks Admin only. Changes any subset of url, events and description; `active: false` turns
   * the endpoint off and `active: true` on again, when its waiting deliveries go out.
   */
  @Put(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrors('NOT_FOUND')
  @ApiBody({
    type: UpdateWebhookDto,
    examples: {
      off: { summary: 'Turned off for maintenance', value: { active: false } },
      events: {
        summary: 'Subscribed to holds as well',
        value: { events: ['booking.confirmed', 'booking.cancelled', 'hold.expired'] },
      },
    },
  })
  async updateWebhook(@Param('id', IdPipe) id: number, @Body() dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    return toWebhookResponse(await this.webhooks.update(id, dto));
  }

  /**
   * Delete a webhook endpoint
   * @remarks Admin only. Deletes the endpoint; its deliveries not yet made are dropped.
   */
  @Delete(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: DeletedResponseDto })
  @ApiErrors('NOT_FOUND')
  async deleteWebhook(@Param('id', IdPipe) id: number): Promise<DeletedResponseDto> {
    await this.webhooks.remove(id);
    return { success: true, message: 'Webhook deleted successfully', data: null };
  }

  /**
   * List deliveries
   * @remarks Admin only. The endpoint's delivery log, newest first: each message's status, attempts
   * and last answer; paginated.
   */
  @Get(':id/deliveries')
  @ApiIdParam()
  @Paginated(WebhookDeliveryResponseDto)
  @ApiErrors('NOT_FOUND')
  async listWebhookDeliveries(
    @Param('id', IdPipe) id: number,
    @Query() page: PaginationQueryDto,
  ): Promise<Page<WebhookDeliveryResponseDto>> {
    return mapPage(await this.webhooks.deliveries(id, page), toWebhookDeliveryResponse);
  }

  /**
   * Redeliver a message
   * @remarks Admin only. Sends a delivered or failed message again, with the same `webhook-id` and
   * a new series of attempts (a pending one: `409 DELIVERY_PENDING`); to an endpoint that is off,
   * once it is turned on.
   */
  @Post(':id/deliveries/:delivery_id/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiIdParam()
  @ApiIdParam('delivery_id')
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto })
  @ApiErrors('NOT_FOUND', 'DELIVERY_PENDING')
  async redeliverWebhookMessage(
    @Param('id', IdPipe) id: number,
    @Param('delivery_id', IdPipe) deliveryId: number,
  ): Promise<WebhookDeliveryResponseDto> {
    return toWebhookDeliveryResponse(await this.webhooks.redeliver(id, deliveryId));
  }
}
