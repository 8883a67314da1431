import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Created } from '../../common/http/created.decorator';
import { ApiIdParam, IdPipe } from '../../common/http/id.pipe';
import { Paginated } from '../../common/pagination/paginated.decorator';
import { Page } from '../../common/pagination/pagination-query.dto';
import { AdminOnly, Public } from '../auth/auth.decorators';
import { CreateEventDto } from './dto/create-event.dto';
import { EventResponseDto, toEventResponse } from './dto/event-response.dto';
import { ListEventsQueryDto } from './dto/list-events-query.dto';
import { UpdateEventDto } from './dto/update-event.dto';
import { EventsService } from './events.service';
import { DeletedResponseDto } from '../../common/http/deleted-response.dto';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** Lists events by date and time, then id. */
  @Public()
  @Get()
  @Paginated(EventResponseDto)
  listEvents(@Query() query: ListEventsQueryDto): Promise<Readonly<Page<EventResponseDto>>> {
    return this.events.list(query);
  }

  /** An event with its counters, at most a second old. */
  @Public()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: EventResponseDto })
  @ApiErrors('NOT_FOUND')
  getEvent(@Param('id', IdPipe) id: number): Promise<Readonly<EventResponseDto>> {
    return this.events.read(id);
  }

  /** Creates an event (admin); its date and time must be in the future. */
  @AdminOnly()
  @Post()
  @Created(EventResponseDto)
  async createEvent(@Body() dto: CreateEventDto): Promise<EventResponseDto> {
    return toEventResponse(await this.events.create(dto));
  }

  /** Changes any subset of the fields; `status: cancelled` also cancels the event's bookings and tickets. */
  @AdminOnly()
  @Put(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: EventResponseDto })
  @ApiErrors('NOT_FOUND', 'CAPACITY_BELOW_SOLD', 'INVALID_STATUS_TRANSITION')
  async updateEvent(@Param('id', IdPipe) id: number, @Body() dto: UpdateEventDto): Promise<EventResponseDto> {
    return toEventResponse(await this.events.update(id, dto));
  }

  /** Deletes an event that has no bookings. */
  @AdminOnly()
  @Delete(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: DeletedResponseDto })
  @ApiErrors('NOT_FOUND', 'EVENT_HAS_BOOKINGS')
  async deleteEvent(@Param('id', IdPipe) id: number): Promise<DeletedResponseDto> {
    await this.events.remove(id);
    return { success: true, message: 'Event deleted successfully', data: null };
  }
}
