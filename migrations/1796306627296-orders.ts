import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders: several ticket types of one event held together and paid once. Each line is a hold
 * carrying the order's id and its place (`line`), so only an order's first line counts against
 * one active hold per user and event; bookings made from an order carry its id; refunds record
 * money given back for cancelled bookings of paid orders. Reverting releases the lines of pending
 * orders (their seats are available again): without orders, a user could not hold several lines.
 */
/** Releases the active lines of pending orders and gives their seats back, as SeatLedger would. */
const RELEASE_PENDING_ORDERS = `
WITH ended AS (
  UPDATE holds SET status = 'released', updated_at = now() WHERE order_id IS NOT NULL AND status = 'active'
  RETURNING ticket_type_id, event_id, quantity
), types AS (
  UPDATE ticket_types t SET total_tickets_held = t.total_tickets_held - s.seats
    FROM (SELECT ticket_type_id, sum(quantity)::int AS seats FROM ended GROUP BY ticket_type_id) s
   WHERE t.id = s.ticket_type_id
)
UPDATE events e SET total_tickets_held = e.total_tickets_held - s.seats
  FROM (SELECT event_id, sum(quantity)::int AS seats FROM ended GROUP BY event_id) s
 WHERE e.id = s.event_id`;

export class Orders1796306627296 implements MigrationInterface {
  name = 'Orders1796306627296';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."order_status" AS ENUM('pending', 'paid', 'expired', 'cancelled', 'refunded')`,
    );
    await queryRunner.query(
      `CREATE TABLE "orders" ("id" SERIAL NOT NULL, "user_id" integer NOT NULL, "event_id" integer NOT NULL, "status" "public"."order_status" NOT NULL DEFAULT 'pending', "quantity" integer NOT NULL, "subtotal_amount" numeric(20,2) NOT NULL, "discount_amount" numeric(20,2) NOT NULL DEFAULT '0', "total_amount" numeric(20,2) NOT NULL, "refunded_amount" numeric(20,2) NOT NULL DEFAULT '0', "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "paid_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_orders_refunded" CHECK (refunded_amount >= 0 AND refunded_amount <= total_amount), CONSTRAINT "chk_orders_amounts" CHECK (subtotal_amount >= 0 AND discount_amount >= 0 AND total_amount = subtotal_amount - discount_amount), CONSTRAINT "chk_orders_quantity" CHECK (quantity > 0), CONSTRAINT "PK_710e2d4957aa5878dfe94e4ac2f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_orders_event_newest" ON "orders"  ("event_id", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "idx_orders_user_newest" ON "orders"  ("user_id", "created_at", "id") `);
    await queryRunner.query(`CREATE TYPE "public"."refund_status" AS ENUM('pending', 'succeeded', 'failed')`);
    await queryRunner.query(
      `CREATE TABLE "refunds" ("id" SERIAL NOT NULL, "order_id" integer NOT NULL, "booking_id" integer, "amount" numeric(20,2) NOT NULL, "status" "public"."refund_status" NOT NULL, "reference" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_refunds_amount" CHECK (amount > 0), CONSTRAINT "PK_5106efb01eeda7e49a78b869738" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_refunds_booking" ON "refunds"  ("booking_id") `);
    await queryRunner.query(`CREATE INDEX "idx_refunds_order" ON "refunds"  ("order_id", "id") `);
    await queryRunner.query(`ALTER TABLE "bookings" ADD "order_id" integer`);
    await queryRunner.query(`ALTER TABLE "holds" ADD "order_id" integer`);
    await queryRunner.query(`ALTER TABLE "holds" ADD "line" smallint NOT NULL DEFAULT '1'`);
    await queryRunner.query(`CREATE INDEX "idx_bookings_order" ON "bookings"  ("order_id") `);
    await queryRunner.query(`CREATE INDEX "idx_holds_order" ON "holds"  ("order_id", "line") `);
    await queryRunner.query(`DROP INDEX "public"."uq_holds_active_user_event"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_holds_active_user_event" ON "holds"  ("user_id", "event_id") WHERE status = 'active' AND NOT offer AND line = 1`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_a922b820eeef29ac1c6800e826a" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_642ca308ac51fea8327e593b8ab" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bookings" ADD CONSTRAINT "FK_44607e13eb7d1b0aaf199e5a75d" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "holds" ADD CONSTRAINT "FK_dff8996dc7926678f1ef841e9f2" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refunds" ADD CONSTRAINT "FK_a42db6369017df60549539f5567" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refunds" ADD CONSTRAINT "FK_79e695ddb64f5784eb2e001719d" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "refunds" DROP CONSTRAINT "FK_79e695ddb64f5784eb2e001719d"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP CONSTRAINT "FK_a42db6369017df60549539f5567"`);
    await queryRunner.query(`ALTER TABLE "holds" DROP CONSTRAINT "FK_dff8996dc7926678f1ef841e9f2"`);
    await queryRunner.query(`ALTER TABLE "bookings" DROP CONSTRAINT "FK_44607e13eb7d1b0aaf199e5a75d"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_642ca308ac51fea8327e593b8ab"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_a922b820eeef29ac1c6800e826a"`);
    await queryRunner.query(RELEASE_PENDING_ORDERS);
    await queryRunner.query(`DROP INDEX "public"."uq_holds_active_user_event"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_holds_active_user_event" ON "holds"  ("user_id", "event_id") WHERE status = 'active' AND NOT offer`,
    );
    await queryRunner.query(`DROP INDEX "public"."idx_holds_order"`);
    await queryRunner.query(`DROP INDEX "public"."idx_bookings_order"`);
    await queryRunner.query(`ALTER TABLE "holds" DROP COLUMN "line"`);
    await queryRunner.query(`ALTER TABLE "holds" DROP COLUMN "order_id"`);
    await queryRunner.query(`ALTER TABLE "bookings" DROP COLUMN "order_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_refunds_order"`);
    await queryRunner.query(`DROP INDEX "public"."uq_refunds_booking"`);
    await queryRunner.query(`DROP TABLE "refunds"`);
    await queryRunner.query(`DROP TYPE "public"."refund_status"`);
    await queryRunner.query(`DROP INDEX "public"."idx_orders_user_newest"`);
    await queryRunner.query(`DROP INDEX "public"."idx_orders_event_newest"`);
    await queryRunner.query(`DROP TABLE "orders"`);
    await queryRunner.query(`DROP TYPE "public"."order_status"`);
  }
}
