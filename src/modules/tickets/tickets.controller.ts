import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { AdminOnly, Authenticated, CurrentUser } from '../auth/auth.decorators';
import { UserEntity } from '../users/entities/user.entity';
import { TicketResponseDto, toTicketResponse } from './dto/ticket-response.dto';
import { ApiTicketCodeParam, TicketCodePipe } from './ticket-code.pipe';
import { TicketsService } from './tickets.service';

@ApiTags('tickets')
@Controller('tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  /**
   * Get a ticket
   * @remarks Its owner or an admin. A ticket by its code, with its status (`active`, `used`,
   * `cancelled`).
   */
  @Authenticated()
  @Get(':ticket_code')
  @ApiTicketCodeParam()
  @ApiOkResponse({ type: TicketResponseDto })
  @ApiErrors('FORBIDDEN', 'NOT_FOUND')
  async getTicket(
    @Param('ticket_code', TicketCodePipe) code: string,
    @CurrentUser() caller: UserEntity,
  ): Promise<TicketResponseDto> {
    return toTicketResponse(await this.tickets.get(code, caller));
  }

  /**
   * Check in a ticket
   * @remarks Admin only (door staff). An active ticket becomes `used`, once: again is `409
   * TICKET_ALREADY_USED`, a cancelled one `409 TICKET_CANCELLED`.
   */
  @AdminOnly()
  @Post(':ticket_code/check-in')
  @ApiTicketCodeParam()
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: TicketResponseDto })
  @ApiErrors('NOT_FOUND', 'TICKET_ALREADY_USED', 'TICKET_CANCELLED')
  async checkInTicket(@Param('ticket_code', TicketCodePipe) code: string): Promise<TicketResponseDto> {
    return toTicketResponse(await this.tickets.checkIn(code));
  }
}
