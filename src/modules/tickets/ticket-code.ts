import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const TICKET_CODE_PATTERN = /^TKT-[0-9]{8}-[A-Z0-9]{8}$/;

/** `TKT-YYYYMMDD-XXXXXXXX`: the booking's UTC date and 8 characters from a cryptographically secure source. */
export function generateTicketCode(bookingDate: Date): string {
  const day = bookingDate.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `TKT-${day}-${suffix}`;
}

/** The source of new ticket codes, a provider so that a test can force a collision. */
@Injectable()
export class TicketCodeGenerator {
  generate(bookingDate: Date): string {
    return generateTicketCode(bookingDate);
  }
}
