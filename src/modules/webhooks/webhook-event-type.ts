/** What a webhook message reports; an endpoint subscribes to some of them. */
export enum WebhookEventType {
  BookingConfirmed = 'booking.confirmed',
  BookingCancelled = 'booking.cancelled',
  HoldCreated = 'hold.created',
  HoldReleased = 'hold.released',
  HoldExpired = 'hold.expired',
  EventUpdated = 'event.updated',
  EventCancelled = 'event.cancelled',
  TicketCheckedIn = 'ticket.checked_in',
  WaitlistOffered = 'waitlist.offered',
  OrderCreated = 'order.created',
  OrderPaid = 'order.paid',
  OrderExpired = 'order.expired',
  OrderCancelled = 'order.cancelled',
  OrderRefunded = 'order.refunded',
}

/** How many event types there are: the most an endpoint can subscribe to. */
export const EVENT_TYPES = Object.values(WebhookEventType).length;
