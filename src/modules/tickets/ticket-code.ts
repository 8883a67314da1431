import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `TKT-YYYYMMDD-XXXXXXXX`: the booking's UTC date and 8 characters from a cryptographically secure source. */
export function generateTicketCode(bookingDate: Date): string {
  const day = bookingDate.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `TKT-${day}-${suffix}`;
}
