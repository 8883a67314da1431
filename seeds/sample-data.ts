/**
 * The contract's sample data: 5 users, 5 future events, 7 bookings holding 15 tickets (two of them
 * the lines of a paid order), and a pending order. Every event has its default ticket type at its
 * price; the first also sells VIP tickets, the second Student tickets, with a 20% student code.
 */

export const SAMPLE_PASSWORDS = { admin: 'admin12345', customer: 'customer123' } as const;

export const SAMPLE_USERS = [
  { name: 'Admin', phone: '0800000000', role: 'admin' },
  { name: 'Somchai Jaidee', phone: '0812345671', role: 'customer' },
  { name: 'Suda Rakdee', phone: '0812345672', role: 'customer' },
  { name: 'Anan Srisuk', phone: '0812345673', role: 'customer' },
  { name: 'Malee Thongdee', phone: '0812345674', role: 'customer' },
] as const;

export const SAMPLE_EVENTS = [
  {
    title: 'Bangkok Rock Festival',
    description: 'Two stages of rock bands from across Asia.',
    venue: 'Impact Arena, Bangkok',
    daysAhead: 30,
    capacity: 5000,
    price: '1500.00',
  },
  {
    title: 'Jazz Night at the Riverside',
    description: 'An intimate evening of jazz by the Chao Phraya.',
    venue: 'Riverside Hall, Bangkok',
    daysAhead: 45,
    capacity: 200,
    price: '850.00',
  },
  {
    title: 'Tech Summit Asia',
    description: 'Talks and workshops on building software at scale.',
    venue: 'Queen Sirikit National Convention Center',
    daysAhead: 60,
    capacity: 1000,
    price: '2500.00',
  },
  {
    title: 'Symphony Under the Stars',
    description: 'An open-air orchestral concert.',
    venue: 'Lumpini Park, Bangkok',
    daysAhead: 75,
    capacity: 800,
    price: '1200.50',
  },
  {
    title: 'Stand-up Comedy Gala',
    description: null,
    venue: 'Siam Comedy Club',
    daysAhead: 90,
    capacity: 300,
    price: '499.99',
  },
] as const;

/** Ticket types besides the defaults; `event` indexes SAMPLE_EVENTS. */
export const SAMPLE_TICKET_TYPES = [
  { event: 0, name: 'VIP', price: '4500.00', quota: 200 },
  { event: 1, name: 'Student', price: '400.00', quota: 50 },
] as const;

/** Promo codes; `event` indexes SAMPLE_EVENTS, `ticketTypes` names its types. */
export const SAMPLE_PROMO_CODES = [
  {
    event: 1,
    code: 'STUDENT20',
    discountType: 'percent',
    discountValue: '20.00',
    ticketTypes: ['Student'],
    maxUses: 100,
  },
] as const;

/**
 * Indexes into SAMPLE_USERS and SAMPLE_EVENTS; of the event's default ticket type unless
 * `ticketType` names another; `order` indexes SAMPLE_ORDERS, whose lines in order they are.
 */
export const SAMPLE_BOOKINGS = [
  { user: 1, event: 0, quantity: 2, status: 'confirmed', order: 0 },
  { user: 1, event: 0, quantity: 3, status: 'confirmed', ticketType: 'VIP', order: 0 },
  { user: 3, event: 1, quantity: 1, status: 'cancelled' },
  { user: 1, event: 2, quantity: 4, status: 'confirmed' },
  { user: 4, event: 3, quantity: 2, status: 'confirmed' },
  { user: 2, event: 4, quantity: 1, status: 'cancelled' },
  { user: 3, event: 4, quantity: 2, status: 'confirmed' },
] as const;

/**
 * Orders: a paid one, whose lines are the bookings that name it, and a pending one, whose lines
 * (`user`, `event` and the ticket types, as above) are held for HOLD_TTL_SECONDS from the seeding.
 */
export const SAMPLE_ORDERS = [
  { user: 1, event: 0, status: 'paid', lines: [] },
  {
    user: 4,
    event: 1,
    status: 'pending',
    lines: [
      { quantity: 1, ticketType: undefined },
      { quantity: 2, ticketType: 'Student' },
    ],
  },
] as const;
