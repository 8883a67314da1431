import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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

  /**
   * List events
   * @remarks Public. Events by date and time, then id, with their seat counters; filter by
   * `status`; paginated (`page`, `limit`, total in `X-Total-Count`).
   */
  @Public()
  @Get()
  @Paginated(EventResponseDto)
  listEvents(@Query() query: ListEventsQueryDto): Promise<Readonly<Page<EventResponseDto>>> {
    return this.events.list(query);
  }

  /**
   * Get an event
   * @remarks Public. The event with its seat counters (`available_tickets` = capacity - sold -
   * held), at most a second old.
   */
  @Public()
  @Get(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: EventResponseDto })
  @ApiErrors('NOT_FOUND')
  getEvent(@Param('id', IdPipe) id: number): Promise<Readonly<EventResponseDto>> {
    return this.events.read(id);
  }

  /**
   * Create an event
   * @remarks Admin only. The event goes on sale at once (`status: active`) with a default ticket
   * type at its price; its date and time must be in the future.
   */
  @AdminOnly()
  @Post()
  @Created(EventResponseDto)
  @ApiBody({
    type: CreateEventDto,
    examples: {
      event: {
        summary: 'A new event',
        value: {
          title: 'Songkran Beats',
          description: 'Water and music all night.',
          venue: 'Lumpini Park, Bangkok',
          date_time: '2030-04-13T18:00:00Z',
          capacity: 500,
          price: '990.00',
        },
      },
    },
  })
  async createEvent(@Body() dto: CreateEventDto): Promise<EventResponseDto> {
    return toEventResponse(await this.events.create(dto));
  }

  /**
   * Update an event
   * @remarks Admin only. Changes any subset of the fields. Capacity cannot go below the seats sold
   * and held (`409 CAPACITY_BELOW_SOLD`); `status: cancelled` also cancels every booking, ticket
   * and hold of the event, and cannot be undone.
   */
  @AdminOnly()
  @Put(':id')
  @ApiIdParam()
  @ApiOkResponse({ type: EventResponseDto })
  @ApiErrors('NOT_FOUND', 'CAPACITY_BELOW_SOLD', 'INVALID_STATUS_TRANSITION')
  @ApiBody({
    type: UpdateEventDto,
    examples: {
      move: { summary: 'Moved to a bigger hall', value: { venue: 'Impact Arena Hall 2, Bangkok', capacity: 6000 } },
      cancel: { summary: 'Called off: cancels its bookings and holds', value: { status: 'cancelled' } },
    },
  })
  async updateEvent(@Param('id', IdPipe) id: number, @Body() dto: UpdateEventDto): Promise<EventResponseDto> {
    return toEventResponse(await this.events.update(id, dto));
  }

  /**
   * Delete an event
   * @remarks Admin only. Only an event without bookings (`409 EVENT_HAS_BOOKINGS`); cancel one that
   * has them instead.
   */
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
