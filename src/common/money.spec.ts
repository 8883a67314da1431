import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fromCents, IsMoney, multiplyMoney, toCents } from './money';

class PriceInput {
  @IsMoney()
  price: unknown;
}

function parse(price: unknown) {
  const input = plainToInstance(PriceInput, { price });
  return { value: input.price, valid: validateSync(input).length === 0 };
}

describe('money', () => {
  it.each([
    ['1500', '1500.00'],
    [1500, '1500.00'],
    [1500.5, '1500.50'],
    ['1500.5', '1500.50'],
    ['0.10', '0.10'],
    [0.1, '0.10'],
    [19.99, '19.99'],
    ['99999999.99', '99999999.99'],
    [0, '0.00'],
  ])('accepts %p as %s', (input, expected) => {
    expect(parse(input)).toEqual({ value: expected, valid: true });
  });

  it.each([
    ['1.999'],
    [1.999],
    ['-1'],
    [-0.01],
    ['100000000'],
    [1e21],
    ['1e3'],
    [''],
    ['12,50'],
    [null],
    [true],
    ['01.00'],
    [NaN],
  ])('rejects %p', (input) => {
    expect(parse(input).valid).toBe(false);
  });

  it('multiplies exactly where binary floating point does not', () => {
    expect(0.1 * 3).not.toBe(0.3);
    expect(multiplyMoney('0.10', 3)).toBe('0.30');
    expect(multiplyMoney('19.99', 7)).toBe('139.93');
    expect(multiplyMoney('99999999.99', 10)).toBe('999999999.90');
  });

  it('round-trips cents', () => {
    expect(fromCents(toCents('1200.50'))).toBe('1200.50');
    expect(fromCents(5n)).toBe('0.05');
  });
});
