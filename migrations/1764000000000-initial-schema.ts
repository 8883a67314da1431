import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, events, bookings and tickets with the contract's rules as constraints.
 * Money is numeric: price(10,2) holds 99999999.99; total_amount and total_revenue are (20,2),
 * wide enough for the largest price times any quantity and for a sold-out 1,000,000-seat event.
 * Foreign keys RESTRICT deletes: booking history is never cascaded away.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."event_status" AS ENUM('active', 'cancelled', 'completed')`);
    await queryRunner.query(
      `CREATE TABLE "events" ("id" SERIAL NOT NULL, "title" character varying(255) NOT NULL, "description" text, "venue" character varying(500) NOT NULL, "date_time" TIMESTAMP WITH TIME ZONE NOT NULL, "capacity" integer NOT NULL, "price" numeric(10,2) NOT NULL, "status" "public"."event_status" NOT NULL DEFAULT 'active', "total_tickets_sold" integer NOT NULL DEFAULT '0', "total_revenue" numeric(20,2) NOT NULL DEFAULT '0', "total_bookings" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_events_bookings" CHECK (total_bookings >= 0), CONSTRAINT "chk_events_revenue" CHECK (total_revenue >= 0), CONSTRAINT "chk_events_sold" CHECK (total_tickets_sold BETWEEN 0 AND capacity), CONSTRAINT "chk_events_price" CHECK (price >= 0), CONSTRAINT "chk_events_capacity" CHECK (capacity BETWEEN 1 AND 1000000), CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_events_status_schedule" ON "events"("status", "date_time", "id")`);
    await queryRunner.query(`CREATE INDEX "idx_events_schedule" ON "events"("date_time", "id")`);
    await queryRunner.query(`CREATE TYPE "public"."ticket_status" AS ENUM('active', 'used', 'cancelled')`);
    await queryRunner.query(
      `CREATE TABLE "tickets" ("id" SERIAL NOT NULL, "booking_id" integer NOT NULL, "ticket_code" character varying(21) NOT NULL, "status" "public"."ticket_status" NOT NULL DEFAULT 'active', "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_40e7b62bf74bc61a7d74d682936" UNIQUE ("ticket_code"), CONSTRAINT "chk_tickets_used_at" CHECK ((status = 'used') = (used_at IS NOT NULL)), CONSTRAINT "chk_tickets_code" CHECK (ticket_code ~ '^TKT-[0-9]{8}-[A-Z0-9]{8}$'), CONSTRAINT "PK_343bc942ae261cf7a1377f48fd0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_tickets_booking" ON "tickets"("booking_id")`);
    await queryRunner.query(`CREATE TYPE "public"."user_role" AS ENUM('customer', 'admin')`);
    await queryRunner.query(
      `CREATE TABLE "users" ("id" SERIAL NOT NULL, "name" character varying(255) NOT NULL, "phone" character varying(16) NOT NULL, "password_hash" character varying(255) NOT NULL, "role" "public"."user_role" NOT NULL DEFAULT 'customer', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a000cca60bcf04454e727699490" UNIQUE ("phone"), CONSTRAINT "chk_users_name" CHECK (length(btrim(name)) > 0), CONSTRAINT "chk_users_phone" CHECK (phone ~ '^\\+?[0-9]{9,15}$'), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE TYPE "public"."booking_status" AS ENUM('confirmed', 'cancelled')`);
    await queryRunner.query(
      `CREATE TABLE "bookings" ("id" SERIAL NOT NULL, "user_id" integer NOT NULL, "event_id" integer NOT NULL, "quantity" integer NOT NULL, "total_amount" numeric(20,2) NOT NULL, "booking_date" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "status" "public"."booking_status" NOT NULL DEFAULT 'confirmed', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_bookings_amount" CHECK (total_amount >= 0), CONSTRAINT "chk_bookings_quantity" CHECK (quantity > 0), CONSTRAINT "PK_bee6805982cc1e248e94ce94957" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_bookings_event_newest" ON "bookings"("event_id", "booking_date", "id")`);
    await queryRunner.query(`CREATE INDEX "idx_bookings_user_newest" ON "bookings"("user_id", "booking_date", "id")`);
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_cc20985f14524969dddd128efd5" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bookings" ADD CONSTRAINT "FK_64cd97487c5c42806458ab5520c" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bookings" ADD CONSTRAINT "FK_976c0fe23c870f914acd2378e4e" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "bookings" DROP CONSTRAINT "FK_976c0fe23c870f914acd2378e4e"`);
    await queryRunner.query(`ALTER TABLE "bookings" DROP CONSTRAINT "FK_64cd97487c5c42806458ab5520c"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_cc20985f14524969dddd128efd5"`);
    await queryRunner.query(`DROP INDEX "public"."idx_bookings_user_newest"`);
    await queryRunner.query(`DROP INDEX "public"."idx_bookings_event_newest"`);
    await queryRunner.query(`DROP TABLE "bookings"`);
    await queryRunner.query(`DROP TYPE "public"."booking_status"`);
    await queryRunner.query(`DROP TABLE "users"`);
    await queryRunner.query(`DROP TYPE "public"."user_role"`);
    await queryRunner.query(`DROP INDEX "public"."idx_tickets_booking"`);
    await queryRunner.query(`DROP TABLE "tickets"`);
    await queryRunner.query(`DROP TYPE "public"."ticket_status"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_schedule"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_status_schedule"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP TYPE "public"."event_status"`);
  }
}
