import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };

type Schemas = components['schemas'];

export type Login = Schemas['LoginDto'];
export type Token = Schemas['TokenResponseDto'];
export type NewUser = Schemas['CreateUserDto'];
export type User = Schemas['UserResponseDto'];
export type EventStatus = Schemas['EventStatus'];
export type NewEvent = Schemas['CreateEventDto'];
export type EventUpdate = Schemas['UpdateEventDto'];
export type Event = Schemas['EventResponseDto'];
export type Deleted = Schemas['DeletedResponseDto'];
export type NewTicketType = Schemas['CreateTicketTypeDto'];
export type TicketTypeUpdate = Schemas['UpdateTicketTypeDto'];
export type TicketType = Schemas['TicketTypeResponseDto'];
export type NewBooking = Schemas['CreateBookingDto'];
export type BookingStatus = Schemas['BookingStatus'];
export type BookingStatusUpdate = Schemas['UpdateBookingStatusDto'];
export type Booking = Schemas['BookingResponseDto'];
export type BookingDetails = Schemas['BookingDetailsResponseDto'];
export type TicketStatus = Schemas['TicketStatus'];
export type Ticket = Schemas['TicketResponseDto'];
export type NewHold = Schemas['CreateHoldDto'];
export type HoldStatus = Schemas['HoldStatus'];
export type Hold = Schemas['HoldResponseDto'];
export type NewOrder = Schemas['CreateOrderDto'];
export type NewOrderLine = Schemas['OrderLineInputDto'];
export type OrderStatus = Schemas['OrderStatus'];
export type Order = Schemas['OrderResponseDto'];
export type OrderLine = Schemas['OrderLineDto'];
export type Payment = Schemas['PaymentDto'];
export type RefundStatus = Schemas['RefundStatus'];
export type Refund = Schemas['RefundDto'];
export type DiscountType = Schemas['DiscountType'];
export type NewPromoCode = Schemas['CreatePromoCodeDto'];
export type PromoCodeUpdate = Schemas['UpdatePromoCodeDto'];
export type PromoCode = Schemas['PromoCodeResponseDto'];
export type PaymentReceived = Schemas['ReceivedDto'];
export type StripeEvent = Schemas['StripeEventDto'];
export type NewWaitlistEntry = Schemas['JoinWaitlistDto'];
export type WaitlistStatus = Schemas['WaitlistStatus'];
export type WaitlistEntry = Schemas['WaitlistEntryResponseDto'];
export type WebhookEventType = Schemas['WebhookEventType'];
export type NewWebhook = Schemas['CreateWebhookDto'];
export type WebhookUpdate = Schemas['UpdateWebhookDto'];
export type Webhook = Schemas['WebhookResponseDto'];
export type CreatedWebhook = Schemas['CreatedWebhookResponseDto'];
export type WebhookDeliveryStatus = Schemas['WebhookDeliveryStatus'];
export type WebhookDelivery = Schemas['WebhookDeliveryResponseDto'];
export type Health = Schemas['HealthResponseDto'];
/** The body of every error; each operation's `error` is narrowed to the codes it can send. */
export type ApiError = Schemas['ErrorResponseDto'];
export type ErrorCode = Schemas['ErrorCode'];
export type ErrorMessage = Schemas['ErrorMessage'];
export type FieldError = Schemas['FieldErrorDto'];

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
