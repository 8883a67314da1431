import { DataSource, EntityManager, In } from 'typeorm';
import { EventEntity } from '../src/modules/events/entities/event.entity';
import { DEFAULT_TICKET_TYPE_NAME, TicketTypeEntity } from '../src/modules/events/entities/ticket-type.entity';
import { generateTicketCode } from '../src/modules/tickets/ticket-code';
import { UserEntity, UserRole } from '../src/modules/users/entities/user.entity';
import { PasswordHasher } from '../src/modules/users/password-hasher';
import { SAMPLE_BOOKINGS, SAMPLE_EVENTS, SAMPLE_PASSWORDS, SAMPLE_TICKET_TYPES, SAMPLE_USERS } from './sample-data';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Loads the sample data; running it again changes nothing. Users are matched by phone and
 * events by title; bookings and tickets are created only together with their events.
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
    for (const booking of SAMPLE_BOOKINGS) {
      const type = 'ticketType' in booking ? booking.ticketType : DEFAULT_TICKET_TYPE_NAME;
      const ticketType = await em.findOneByOrFail(TicketTypeEntity, { eventId: events[booking.event].id, name: type });
      await insertBooking(em, users[booking.user].id, ticketType, booking.quantity, booking.status);
    }
    const eventIds = events.map((e) => e.id);
    await em.query(
      `UPDATE events e
          SET total_tickets_sold = s.sold, total_revenue = s.revenue, total_bookings = s.bookings
         FROM (SELECT event_id, sum(quantity) AS sold, sum(total_amount) AS revenue, count(*) AS bookings
                 FROM bookings WHERE status = 'confirmed' GROUP BY event_id) s
        WHERE e.id = s.event_id AND e.id = ANY($1)`,
      [eventIds],
    );
    await em.query(
      `UPDATE ticket_types t
          SET total_tickets_sold = s.sold, total_revenue = s.revenue
         FROM (SELECT ticket_type_id, sum(quantity) AS sold, sum(total_amount) AS revenue
                 FROM bookings WHERE status = 'confirmed' GROUP BY ticket_type_id) s
        WHERE t.id = s.ticket_type_id AND t.event_id = ANY($1)`,
      [eventIds],
    );
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

async function insertBooking(
  em: EntityManager,
  userId: number,
  type: TicketTypeEntity,
  quantity: number,
  status: string,
) {
  const [booking]: { id: number; booking_date: Date }[] = await em.query(
    `INSERT INTO bookings (user_id, event_id, ticket_type_id, quantity, total_amount, status)
     SELECT $1, event_id, id, $3::int, price * $3::int, $4 FROM ticket_types WHERE id = $2
     RETURNING id, booking_date`,
    [userId, type.id, quantity, status],
  );
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
