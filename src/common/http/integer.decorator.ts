import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments } from 'class-validator';

/** The largest value of a PostgreSQL `integer` column, so of every id and count the API accepts. */
export const MAX_INT = 2_147_483_647;

/**
 * An integer from `min` to `max` (a JSON number), documented with its bounds. One rule with one
 * message per problem, so `"abc"` is told it is not an integer rather than that it is too large.
 */
export function IsInteger(min: number, max = MAX_INT): PropertyDecorator {
  return integerRule(min, max, 'must be an integer');
}

/**
 * A query parameter holding an integer from `min` to `max`: decimal digits (a `-` allowed, to be
 * told it is too small), given once. `0x10`, `1e1`, `+10` and `10.0` are refused, not read as numbers.
 */
export function IsIntegerQuery(min: number, max = MAX_INT): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^-?[0-9]{1,10}$/.test(value) ? Number(value) : value,
    ),
    integerRule(min, max, 'must be an integer written in decimal digits'),
  );
}

function integerRule(min: number, max: number, notInteger: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: 'integer', minimum: min, maximum: max }),
    ValidateBy({
      name: 'isInteger',
      constraints: [min, max],
      validator: {
        validate: (value) => Number.isInteger(value) && value >= min && value <= max,
        defaultMessage: (args?: ValidationArguments) => {
          const { property, value } = args as { property: string; value: unknown };
          if (Array.isArray(value)) return `${property} must be given once`;
          if (!Number.isInteger(value)) return `${property} ${notInteger}`;
          return (value as number) < min
            ? `${property} must not be less than ${min}`
            : `${property} must not be greater than ${max}`;
        },
      },
    }),
  );
}
