import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** Money is held as a decimal string with two decimals ("1500.00") and computed in integer cents. */
export const MAX_PRICE = '99999999.99';
const MONEY_PATTERN = /^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$/;

/** Cents of a money string written with at most two decimals. */
export function toCents(amount: string): bigint {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

export function fromCents(cents: bigint): string {
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** `price × quantity`, exact. */
export function multiplyMoney(price: string, quantity: number): string {
  return fromCents(toCents(price) * BigInt(quantity));
}

/**
 * A money input: a string or a number, 0 to 99999999.99, at most two decimals.
 * Normalised to the two-decimal string; anything else fails validation.
 */
export function IsMoney(): PropertyDecorator {
  const normalise = Transform(({ value }: { value: unknown }) => {
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    return typeof text === 'string' && MONEY_PATTERN.test(text) ? fromCents(toCents(text)) : value;
  });
  const validate = ValidateBy({
    name: 'isMoney',
    validator: {
      validate: (value) => typeof value === 'string' && MONEY_PATTERN.test(value),
      defaultMessage: (args) => `${args?.property} must be an amount from 0 to ${MAX_PRICE} with at most two decimals`,
    },
  });
  return (target, key) => {
    normalise(target, key);
    validate(target, key);
  };
}

/** Documents a money field of a request: a decimal string (or a number) of at most two decimals. */
export function ApiMoneyInput(example: string): PropertyDecorator {
  return ApiProperty({
    oneOf: [{ type: 'string', maxLength: 11, pattern: MONEY_PATTERN.source }, { type: 'number' }],
    example,
  });
}

/** Documents a money field of a response: a decimal string with exactly two decimals. */
export function ApiMoney(example: string): PropertyDecorator {
  return ApiProperty({ type: String, pattern: '^[0-9]+\\.[0-9]{2}$', maxLength: 21, example });
}
