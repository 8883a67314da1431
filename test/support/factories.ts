import { randomInt } from 'node:crypto';
import { DataSource } from 'typeorm';
import { UserEntity, UserRole } from '../../src/modules/users/entities/user.entity';
import { PasswordHasher } from '../../src/modules/users/password-hasher';
import { TestApp } from './test-app';

export const PASSWORD = 'correct-horse-battery';

/** A phone no other test in this run uses. */
export function uniquePhone(): string {
  return `+9${randomInt(10 ** 11, 10 ** 12)}`;
}

export function makeUserInput(overrides: Record<string, unknown> = {}) {
  return { name: 'Test Customer', phone: uniquePhone(), password: PASSWORD, ...overrides };
}

export interface Caller {
  user: { id: number; name: string; phone: string; role: UserRole };
  token: string;
  auth: { Authorization: string };
}

/** A customer registered through the API, logged in. */
export async function registerCustomer({ http }: TestApp, overrides: Record<string, unknown> = {}): Promise<Caller> {
  const input = makeUserInput(overrides);
  await http().post('/api/v1/users').send(input).expect(201);
  return login({ http } as TestApp, input.phone, input.password);
}

/** An admin, written straight to the database (only an admin may create one through the API), logged in. */
export async function createAdmin(testApp: TestApp): Promise<Caller> {
  const phone = uniquePhone();
  await insertUser(testApp.db, { name: 'Test Admin', phone, role: UserRole.Admin });
  return login(testApp, phone, PASSWORD);
}

export async function insertUser(db: DataSource, user: Partial<UserEntity>): Promise<UserEntity> {
  const passwordHash = await new PasswordHasher().hash(PASSWORD);
  return db.getRepository(UserEntity).save({ name: 'Test User', phone: uniquePhone(), passwordHash, ...user });
}

export async function login({ http }: TestApp, phone: string, password: string): Promise<Caller> {
  const { body } = await http().post('/api/v1/auth/login').send({ phone, password }).expect(200);
  return { user: body.user, token: body.access_token, auth: { Authorization: `Bearer ${body.access_token}` } };
}

const DAY_MS = 24 * 3600 * 1000;

export function makeEventInput(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Test Concert',
    description: 'A test event',
    venue: 'Test Hall',
    date_time: new Date(Date.now() + 30 * DAY_MS).toISOString(),
    capacity: 100,
    price: '1500.00',
    ...overrides,
  };
}

/** An event created by an admin through the API; returns its response body. */
export async function createEvent({ http }: TestApp, admin: Caller, overrides: Record<string, unknown> = {}) {
  const { body } = await http().post('/api/v1/events').set(admin.auth).send(makeEventInput(overrides)).expect(201);
  return body;
}

/** A booking through the API, expected to succeed; returns its response body. */
export async function book({ http }: TestApp, caller: Caller, eventId: number, quantity = 1) {
  const { body } = await http()
    .post('/api/v1/bookings')
    .set(caller.auth)
    .send({ event_id: eventId, quantity })
    .expect(201);
  return body;
}

/** A checkout hold through the API, expected to succeed; returns its response body. */
export async function hold({ http }: TestApp, caller: Caller, eventId: number, quantity = 1) {
  const { body } = await http()
    .post('/api/v1/holds')
    .set(caller.auth)
    .send({ event_id: eventId, quantity })
    .expect(201);
  return body;
}

/** Cancels a booking through the API, expected to succeed. */
export async function cancelBooking({ http }: TestApp, caller: Caller, bookingId: number): Promise<void> {
  await http().put(`/api/v1/bookings/${bookingId}/status`).set(caller.auth).send({ status: 'cancelled' }).expect(200);
}
