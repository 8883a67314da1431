import { DataSource, EntityManager, In } from 'typeorm';
import { EventEntity } from '../src/modules/events/entities/event.entity';
import { DEFAULT_TICKET_TYPE_NAME, TicketTypeEntity } from '../src/modules/events/entities/ticket-type.entity';
import { DiscountType, PromoCodeEntity } from '../src/modules/promo-codes/entities/promo-code.entity';
import { generateTicketCode } from '../src/modules/tickets/ticket-code';
import { UserEntity, UserRole } from '../src/modules/users/entities/user.entity';
import { PasswordHasher } from '../src/modules/users/password-hasher';
import {
  SAMPLE_BOOKINGS,
  SAMPLE_EVENTS,
  SAMPLE_ORDERS,
  SAMPLE_PASSWORDS,
  SAMPLE_PROMO_CODES,
  SAMPLE_TICKET_TYPES,
  SAMPLE_USERS,
} from './sample-data';

const DAY_MS = 24 * 3600 * 1000;
/** How long the pending sample order holds its seats: the default HOLD_TTL_SECONDS. */
const HOLD_TTL_SECONDS = 600;

/**
 * Loads the sample data; running it again changes nothing. Users are matched by phone and
 * events by title; orders, bookings and tickets are created only together with their events.
 */
export async function seed(db: DataSource): Promise<void> {
  await db.transaction(async (em) => {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('seed'))`);
    const users = await seedUsers(em);
    const existing = await em.countBy(EventEntity, { title: In(SAMPLE_EVENTS.map((e) => e.title)) });
    if (existing > 0) return;
    const events = await em.save(
      EventEntity,
      SAMPLE_EVENTS.map(({ daysAhead, ...event }) =>
        em.create(EventEntity, { ...event, dateTime: atEvening(new Date(Date.now() + daysAhead * DAY_MS)) }),
      ),
    );
    await em.insert(TicketTypeEntity, [
      ...events.map((event) => ({
        eventId: event.id,
        name: DEFAULT_TICKET_TYPE_NAME,
        price: event.price,
        isDefault: true,
      })),
      ...SAMPLE_TICKET_TYPES.map(({ event, ...type }) => ({ ...type, eventId: events[event].id })),
    ]);
    const typeOf = (event: number, name: string = DEFAULT_TICKET_TYPE_NAME) =>
      em.findOneByOrFail(TicketTypeEntity, { eventId: events[event].id, name });
    for (const { event, ticketTypes, ...code } of SAMPLE_PROMO_CODES) {
      const types = await Promise.all(ticketTypes.map((name) => typeOf(event, name)));
      await em.insert(PromoCodeEntity, {
        ...code,
        discountType: code.discountType as DiscountType,
        eventId: events[event].id,
        ticketTypeIds: types.map((t) => t.id),
      });
    }
    const orderIds: number[] = [];
    for (const order of SAMPLE_ORDERS) {
      const [{ id }]: { id: number }[] = await em.query(
        `INSERT INTO orders (user_id, event_id, status, quantity, subtotal_amount, total_amount, expires_at, paid_at)
         VALUES ($1, $2, $3::order_status, 1, 0, 0, now() + make_interval(secs => $4), CASE WHEN $3::text = 'paid' THEN now() END)
         RETURNING id`,
        [users[order.user].id, events[order.event].id, order.status, HOLD_TTL_SECONDS],
      );
      orderIds.push(id);
      for (const [i, line] of order.lines.entries()) {
        await insertLine(
          em,
          id,
          i + 1,
          users[order.user].id,
          await typeOf(order.event, line.ticketType),
          line.quantity,
        );
      }
    }
    for (const booking of SAMPLE_BOOKINGS) {
      const ticketType = await typeOf(booking.event, 'ticketType' in booking ? booking.ticketType : undefined);
      const orderId = 'order' in booking ? orderIds[booking.order] : null;
      await insertBooking(em, users[booking.user].id, ticketType, booking.quantity, booking.status, orderId);
    }
    await em.query(
      `UPDATE orders o SET quantity = l.quantity, subtotal_amount = l.amount, total_amount = l.amount
         FROM (SELECT order_id, sum(quantity) AS quantity, sum(total_amount) AS amount FROM holds GROUP BY order_id) l
        WHERE o.id = l.order_id AND o.id = ANY($1)`,
      [orderIds],
    );
    const eventIds = events.map((e) => e.id);
    const sums = (of: string) => `
      total_tickets_sold = (SELECT coalesce(sum(quantity), 0) FROM bookings WHERE ${of} AND status = 'confirmed'),
      total_revenue = (SELECT coalesce(sum(total_amount), 0) FROM bookings WHERE ${of} AND status = 'confirmed'),
      total_tickets_held = (SELECT coalesce(sum(quantity), 0) FROM holds WHERE ${of} AND status = 'active')`;
    await em.query(
      `UPDATE events e SET ${sums('event_id = e.id')},
              total_bookings = (SELECT count(*) FROM bookings WHERE event_id = e.id AND status = 'confirmed')
        WHERE e.id = ANY($1)`,
      [eventIds],
    );
    await em.query(`UPDATE ticket_types t SET ${sums('ticket_type_id = t.id')} WHERE t.event_id = ANY($1)`, [eventIds]);
  });
}

async function seedUsers(em: EntityManager): Promise<UserEntity[]> {
  const hasher = new PasswordHasher();
  const hashes = {
    admin: await hasher.hash(SAMPLE_PASSWORDS.admin),
    customer: await hasher.hash(SAMPLE_PASSWORDS.customer),
  };
  await em
    .createQueryBuilder()
    .insert()
    .into(UserEntity)
    .values(SAMPLE_USERS.map((u) => ({ ...u, role: u.role as UserRole, passwordHash: hashes[u.role] })))
    .orIgnore()
    .execute();
  const users = await em.findBy(UserEntity, { phone: In(SAMPLE_USERS.map((u) => u.phone)) });
  return SAMPLE_USERS.map((sample) => users.find((u) => u.phone === sample.phone)!);
}

/** A line of a pending order: an active hold carrying its id and place, expiring with it. */
async function insertLine(
  em: EntityManager,
  orderId: number,
  line: number,
  userId: number,
  type: TicketTypeEntity,
  quantity: number,
) {
  await em.query(
    `INSERT INTO holds (user_id, event_id, ticket_type_id, order_id, line, quantity, total_amount, expires_at)
     SELECT $1, t.event_id, t.id, o.id, $4, $5::int, t.price * $5::int, o.expires_at
       FROM ticket_types t, orders o WHERE t.id = $2 AND o.id = $3`,
    [userId, type.id, orderId, line, quantity],
  );
}

/** A booking, with one ticket per seat; one of a paid order is also its line, a hold confirmed into it. */
async function insertBooking(
  em: EntityManager,
  userId: number,
  type: TicketTypeEntity,
  quantity: number,
  status: string,
  orderId: number | null,
) {
  const [booking]: { id: number; booking_date: Date }[] = await em.query(
    `INSERT INTO bookings (user_id, event_id, ticket_type_id, order_id, quantity, total_amount, status)
     SELECT $1, event_id, id, $5, $3::int, price * $3::int, $4 FROM ticket_types WHERE id = $2
     RETURNING id, booking_date`,
    [userId, type.id, quantity, status, orderId],
  );
  if (orderId !== null) {
    await em.query(
      `INSERT INTO holds (user_id, event_id, ticket_type_id, order_id, line, quantity, total_amount, status, expires_at, booking_id)
       SELECT b.user_id, b.event_id, b.ticket_type_id, b.order_id,
              (SELECT count(*) + 1 FROM holds WHERE order_id = b.order_id), b.quantity, b.total_amount, 'confirmed', now(), b.id
         FROM bookings b WHERE b.id = $1`,
      [booking.id],
    );
  }
  const ticketStatus = status === 'confirmed' ? 'active' : 'cancelled';
  for (let i = 0; i < quantity; i++) {
    await em.query(`INSERT INTO tickets (booking_id, ticket_code, status) VALUES ($1, $2, $3)`, [
      booking.id,
      generateTicketCode(booking.booking_date),
      ticketStatus,
    ]);
  }
}

function atEvening(day: Date): Date {
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12, 0, 0));
}
