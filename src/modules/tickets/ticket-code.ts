import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const TICKET_CODE_PATTERN = /^TKT-[0-9]{8}-[A-Z0-9]{8}$/;

/** The random part of a ticket code: 8 characters of A–Z0–9 from a cryptographically secure source. */
export function generateTicketSuffix(): string {
  return Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** `TKT-YYYYMMDD-XXXXXXXX`: the booking's UTC date and a random suffix. */
export function generateTicketCode(bookingDate: Date): string {
  return `TKT-${bookingDate.toISOString().slice(0, 10).replaceAll('-', '')}-${generateTicketSuffix()}`;
}

/** The source of ticket code suffixes, a provider so that a test can force a collision. */
@Injectable()
export class TicketCodeGenerator {
  suffix(): string {
    return generateTicketSuffix();
  }
}
