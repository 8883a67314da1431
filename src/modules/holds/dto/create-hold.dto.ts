import { CreateBookingDto } from '../../bookings/dto/create-booking.dto';

/** Seats to keep while the buyer pays: what a booking asks for, with the same rules. */
export class CreateHoldDto extends CreateBookingDto {}
