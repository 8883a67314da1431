import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';

/** The dependencies the probe checks, each with its state: `{ "database": { "status": "up" } }`. */
const DEPENDENCIES_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  properties: {
    database: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['up', 'down'] } },
      required: ['status'],
      additionalProperties: false,
    },
  },
  additionalProperties: false,
  example: { database: { status: 'up' } },
};

/** A passing probe, as @nestjs/terminus reports it. */
export class HealthResponseDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  /** Dependencies that are up. */
  @ApiProperty(DEPENDENCIES_SCHEMA)
  info: Record<string, { status: string }>;

  /** Dependencies that are down: none when the probe passes. */
  @ApiProperty(DEPENDENCIES_SCHEMA)
  error: Record<string, { status: string }>;

  /** Every dependency checked. */
  @ApiProperty(DEPENDENCIES_SCHEMA)
  details: Record<string, { status: string }>;
}
