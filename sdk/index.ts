import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type User = components['schemas']['UserResponseDto'];
export type Event = components['schemas']['EventResponseDto'];
export type Booking = components['schemas']['BookingResponseDto'];
export type BookingDetails = components['schemas']['BookingDetailsResponseDto'];
export type Ticket = components['schemas']['TicketResponseDto'];
export type ApiError = components['schemas']['ErrorResponseDto'];
export type Webhook = components['schemas']['WebhookResponseDto'];
export type WebhookDelivery = components['schemas']['WebhookDeliveryResponseDto'];
export type WebhookEventType = components['schemas']['WebhookEventType'];

/**
 * A typed client of the Ticketing API, generated from openapi.json (`npm run sdk`). Each call
 * resolves to `{ data, response }` on success or `{ error, response }` with the contract's error body.
 */
export function createTicketingClient(baseUrl: string, accessToken?: string) {
  return createClient<paths>({
    baseUrl,
    headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
  });
}

export type TicketingClient = ReturnType<typeof createTicketingClient>;
