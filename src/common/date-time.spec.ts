import { parseDateTime } from './date-time';

describe(parseDateTime.name, () => {
  it.each([
    ['2026-12-25T19:00:00.000Z', '2026-12-25T19:00:00.000Z'],
    ['2026-12-25T19:00:00Z', '2026-12-25T19:00:00.000Z'],
    ['2026-12-25T19:00:00', '2026-12-25T19:00:00.000Z'],
    ['2026-12-25T19:00', '2026-12-25T19:00:00.000Z'],
    ['2026-12-26T02:00:00+07:00', '2026-12-25T19:00:00.000Z'],
    ['2028-02-29T10:00:00Z', '2028-02-29T10:00:00.000Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseDateTime(input)?.toISOString()).toBe(expected);
  });

  it.each([
    '2026-02-30T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-12-25',
    '25/12/2026 19:00',
    '2026-12-25T24:00:00Z',
    'tomorrow',
    '',
  ])('refuses %s', (input) => {
    expect(parseDateTime(input)).toBeNull();
  });
});
