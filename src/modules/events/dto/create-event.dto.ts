import { ApiProperty } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsDateTime } from '../../../common/date-time';
import { IsInteger } from '../../../common/http/integer.decorator';
import { Omittable } from '../../../common/http/omittable.decorator';
import { Trim } from '../../../common/http/trim.decorator';
import { ApiMoneyInput, IsMoney } from '../../../common/money';
import { EventStatus } from '../entities/event.entity';

export class CreateEventDto {
  /** @example Bangkok Rock Festival */
  @Trim()
  @IsString()
  @Length(1, 255)
  title: string;

  /** `null` clears it. */
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  description?: string | null;

  /** @example Impact Arena, Bangkok */
  @Trim()
  @IsString()
  @Length(1, 500)
  venue: string;

  /** Strictly in the future; without an offset it is read as UTC. */
  @ApiProperty({ type: String, format: 'date-time', example: '2027-12-25T19:00:00Z' })
  @IsDateTime()
  date_time: Date;

  /** @example 5000 */
  @IsInteger(1, 1_000_000)
  capacity: number;

  /** 0 to 99999999.99, at most two decimals; a string or a number. */
  @ApiMoneyInput('1500.00')
  @IsMoney()
  price: string;

  @Omittable()
  @IsEnum(EventStatus)
  status?: EventStatus;
}
