import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { DeletedResponseDto } from '../../common/http/deleted-response.dto';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { AdminOnly, CurrentUser, OptionallyAuthenticated } from '../auth/auth.decorators';
import { UserEntity, UserRole } from '../users/entities/user.entity';
import { CreateTicketTypeDto } from './dto/create-ticket-type.dto';
import { TicketTypeResponseDto } from './dto/ticket-type-response.dto';
import { UpdateTicketTypeDto } from './dto/update-ticket-type.dto';
import { MAX_TICKET_TYPES, TicketTypesService } from './ticket-types.service';

@ApiTags('ticket types')
@Controller()
export class TicketTypesController {
  constructor(private readonly ticketTypes: TicketTypesService) {}

  /**
   * List an event's ticket types
   * @remarks Public. The default type (General admission, at the event's price) first, each with
   * its price, quota and what it has left; hidden types (sold only through a promo code that names
   * them) are listed to admins only.
   */
  @OptionallyAuthenticated()
  @Get('events/:id/ticket-types')
  @ApiIdParam()
  @ApiExtraModels(TicketTypeResponseDto)
  @ApiOkResponse({
    schema: { type: 'array', maxItems: MAX_TICKET_TYPES, items: { $ref: getSchemaPath(TicketTypeResponseDto) } },
  })
  @ApiErrors('NOT_FOUND')
  listTicketTypes(
    @Param('id', IdPipe) eventId: number,
    @CurrentUser() caller?: UserEntity,
  ): Promise<TicketTypeResponseDto[]> {
    return this.ticketTypes.list(eventId, caller?.role === UserRole.Admin);
  }

  /**
   * Add a ticket type
   * @remarks Admin only. A type has its own price and, optionally, a quota of the event's seats:
   * all types share the capacity, and a quota caps one type within it. An event has at most 100
   * types.
   */
  @AdminOnly()
  @Post('events/:id/ticket-types')
  @ApiIdParam()
  @ApiCreatedResponse({ type: TicketTypeResponseDto })
  @ApiErrors('NOT_FOUND')
  @ApiBody({
    type: CreateTicketTypeDto,
    examples: {
      student: { summary: 'Student tickets, at most 100', value: { name: 'Student', price: '750.00', quota: 100 } },
    },
  })
  createTicketType(
    @Param('id', IdPipe) eventId: number,
    @Body() dto: CreateTicketTypeDto,
  ): Promise<TicketTypeResponseDto> {
    return this.ticketTypes.create(eventId, dto);
  }

  /**
   * Update a ticket type
   * @remarks Admin only. Changes any subset of the fields; a quota cannot go below what the type
   * has sold and held (`409 CAPACITY_BELOW_SOLD`). The default type's price is the event's, so
   * changing it changes the event's.
   */
  @AdminOnly()
  @Put('ticket-types/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: TicketTypeResponseDto })
  @ApiErrors('NOT_FOUND', 'CAPACITY_BELOW_SOLD')
  @ApiBody({ type: UpdateTicketTypeDto, examples: { price: { summary: 'A new price', value: { price: '1600.00' } } } })
  updateTicketType(@Param('id', IdPipe) id: number, @Body() dto: UpdateTicketTypeDto): Promise<TicketTypeResponseDto> {
    return this.ticketTypes.update(id, dto);
  }

  /**
   * Delete a ticket type
   * @remarks Admin only. Only a type never booked, held or waited for (`409 TICKET_TYPE_IN_USE`),
   * and never the event's default.
   */
  @AdminOnly()
  @Delete('ticket-types/:id')
  @ApiIdParam()
  @ApiOkResponse({ type: DeletedResponseDto })
  @ApiErrors('NOT_FOUND', 'TICKET_TYPE_IN_USE')
  async deleteTicketType(@Param('id', IdPipe) id: number): Promise<DeletedResponseDto> {
    await this.ticketTypes.remove(id);
    return { success: true, message: 'Ticket type deleted successfully', data: null };
  }
}
