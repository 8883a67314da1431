import { IsEnum } from 'class-validator';
import { BookingStatus } from '../entities/booking.entity';

export class UpdateBookingStatusDto {
  /** `cancelled` cancels a confirmed booking and its tickets; setting the current status again changes nothing. */
  @IsEnum(BookingStatus)
  status: BookingStatus;
}
