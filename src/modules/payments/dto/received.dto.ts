import { ApiProperty } from '@nestjs/swagger';

/** The answer to a provider's callback that was acted on, or ignored. */
export class ReceivedDto {
  @ApiProperty({ enum: [true], example: true })
  received: true;
}
