import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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

  /** Registers an endpoint for the event types it names; the response carries its signing secret, this once. */
  @Post()
  @Created(CreatedWebhookResponseDto)
  createWebhook(@Body() dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    return this.webhooks.create(dto);
  }

  /** Every endpoint, oldest first. */
  @Get()
  @Paginated(WebhookResponseDto)
  async listWebhooks(@Query() page: PaginationQueryDto): Promise<Page<WebhookResponseDto>> {
    return mapPage(await this.webhooks.list(page), toWebhookResponse);
  }

  /** One endpoint, without its secret. */
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrors('NOT_FOUND')
  async getWebhook(@Param('id', IdPipe) id: number): Promise<WebhookResponseDto> {
    return toWebhookResponse(await this.webhooks.get(id));
  }

  /** Changes any subset of url, events and description; `active` turns the endpoint off or on again. */
  @Put(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiErrors('NOT_FOUND')
  async updateWebhook(@Param('id', IdPipe) id: number, @Body() dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    return toWebhookResponse(await this.webhooks.update(id, dto));
  }

  /** Deletes the endpoint; its deliveries not yet made are dropped. */
  @Delete(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: DeletedResponseDto })
  @ApiErrors('NOT_FOUND')
  async deleteWebhook(@Param('id', IdPipe) id: number): Promise<DeletedResponseDto> {
    await this.webhooks.remove(id);
    return { success: true, message: 'Webhook deleted successfully', data: null };
  }

  /** The endpoint's deliveries, newest first: each message's status, attempts and last answer. */
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
   * Sends a delivered or failed message again, with the same `webhook-id` and a new series of
   * attempts; to an endpoint that is off, once it is turned on.
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
