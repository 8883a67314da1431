import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { DeletedResponseDto } from '../../common/http/deleted-response.dto';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { mapPage, Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AdminOnly } from '../auth/auth.decorators';
import { CreatePromoCodeDto, PROMO_CODE_EXAMPLES } from './dto/create-promo-code.dto';
import { PromoCodeResponseDto, toPromoCodeResponse } from './dto/promo-code-response.dto';
import { UpdatePromoCodeDto } from './dto/update-promo-code.dto';
import { PromoCodesService } from './promo-codes.service';

@ApiTags('promo codes')
@AdminOnly()
@Controller()
export class PromoCodesController {
  constructor(private readonly promoCodes: PromoCodesService) {}

  /**
   * Add a promo code
   * @remarks Admin only. A code takes a percent or an amount off each ticket of its types, or
   * sells them at a price (never below 0.00), for at most `max_uses` tickets, between `valid_from`
   * and `valid_until`; naming a hidden type, it is the one way to buy it. Unique within the event
   * whatever its case (`409 PROMO_CODE_TAKEN`); at least 8 characters when it unlocks a hidden type
   * or can bring a ticket to 0.00.
   */
  @Post('events/:id/promo-codes')
  @ApiIdParam()
  @ApiCreatedResponse({ type: PromoCodeResponseDto })
  @ApiErrors('NOT_FOUND', 'PROMO_CODE_TAKEN')
  @ApiBody({ type: CreatePromoCodeDto, examples: PROMO_CODE_EXAMPLES })
  async createPromoCode(
    @Param('id', IdPipe) eventId: number,
    @Body() dto: CreatePromoCodeDto,
  ): Promise<PromoCodeResponseDto> {
    return toPromoCodeResponse(await this.promoCodes.create(eventId, dto));
  }

  /**
   * List an event's promo codes
   * @remarks Admin only. Oldest first, each with its uses; paginated.
   */
  @Get('events/:id/promo-codes')
  @ApiIdParam()
  @Paginated(PromoCodeResponseDto)
  @ApiErrors('NOT_FOUND')
  async listPromoCodes(
    @Param('id', IdPipe) eventId: number,
    @Query() page: PaginationQueryDto,
  ): Promise<Page<PromoCodeResponseDto>> {
    return mapPage(await this.promoCodes.list(eventId, page), toPromoCodeResponse);
  }

  /**
   * Get a promo code
   * @remarks Admin only. The code with its uses: tickets of pending and paid orders that used it.
   */
  @Get('promo-codes/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: PromoCodeResponseDto })
  @ApiErrors('NOT_FOUND')
  async getPromoCode(@Param('id', IdPipe) id: number): Promise<PromoCodeResponseDto> {
    return toPromoCodeResponse(await this.promoCodes.get(id));
  }

  /**
   * Update a promo code
   * @remarks Admin only. Changes any subset of the fields, under the same rules as when it was
   * made; `max_uses` cannot go below its uses; `active: false` stops it at once, for orders not yet
   * made.
   */
  @Put('promo-codes/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: PromoCodeResponseDto })
  @ApiErrors('NOT_FOUND', 'PROMO_CODE_TAKEN')
  @ApiBody({
    type: UpdatePromoCodeDto,
    examples: {
      off: { summary: 'Stopped', value: { active: false } },
      more: { summary: '50 more uses', value: { max_uses: 150 } },
    },
  })
  async updatePromoCode(
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdatePromoCodeDto,
  ): Promise<PromoCodeResponseDto> {
    return toPromoCodeResponse(await this.promoCodes.update(id, dto));
  }

  /**
   * Delete a promo code
   * @remarks Admin only. Only a code no order ever used (`409 PROMO_CODE_IN_USE`: set `active` to
   * false instead).
   */
  @Delete('promo-codes/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: DeletedResponseDto })
  @ApiErrors('NOT_FOUND', 'PROMO_CODE_IN_USE')
  async deletePromoCode(@Param('id', IdPipe) id: number): Promise<DeletedResponseDto> {
    await this.promoCodes.remove(id);
    return { success: true, message: 'Promo code deleted successfully', data: null };
  }
}
