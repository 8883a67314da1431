import { fromMinorUnits, isChargeable, toMinorUnits } from './money';

describe('Amounts in a currency’s minor unit', () => {
  it('counts a two-decimal currency in hundredths', () => {
    expect(toMinorUnits('12.34', 'thb')).toBe(1234);
    expect(toMinorUnits('0.05', 'usd')).toBe(5);
  });

  it('counts a zero-decimal currency in whole units', () => {
    expect(toMinorUnits('1500.00', 'jpy')).toBe(1500);
  });

  it('counts a three-decimal currency in thousandths', () => {
    expect(toMinorUnits('1.50', 'kwd')).toBe(1500);
  });

  it('is exact where floating point is not', () => {
    expect(toMinorUnits('1.10', 'thb')).toBe(110);
    expect(toMinorUnits('999999999999.99', 'thb')).toBe(99999999999999);
  });

  it('reads minor units back as a decimal string', () => {
    expect(fromMinorUnits(1234, 'thb')).toBe('12.34');
    expect(fromMinorUnits(5, 'thb')).toBe('0.05');
    expect(fromMinorUnits(1500, 'jpy')).toBe('1500.00');
    expect(fromMinorUnits(1500, 'kwd')).toBe('1.50');
  });

  it('charges a zero-decimal currency only whole amounts', () => {
    expect(isChargeable('12.00', 'jpy')).toBe(true);
    expect(isChargeable('12.50', 'jpy')).toBe(false);
    expect(isChargeable('12.50', 'thb')).toBe(true);
  });
});
