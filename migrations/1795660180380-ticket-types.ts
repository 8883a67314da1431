import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ticket types: several prices and quotas per event. Every existing event gets its default type
 * ("General admission", at the event's price, counting what the event counts), and its bookings
 * and holds point at it. Reverting drops the types and what pointed at them; the events keep
 * their price and counters.
 */
export class TicketTypes1795660180380 implements MigrationInterface {
  name = 'TicketTypes1795660180380';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ticket_types" ("id" SERIAL NOT NULL, "event_id" integer NOT NULL, "name" character varying(255) NOT NULL, "price" numeric(10,2) NOT NULL, "quota" integer, "is_default" boolean NOT NULL DEFAULT false, "total_tickets_sold" integer NOT NULL DEFAULT '0', "total_tickets_held" integer NOT NULL DEFAULT '0', "total_revenue" numeric(20,2) NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_ticket_types_revenue" CHECK (total_revenue >= 0), CONSTRAINT "chk_ticket_types_sold_held" CHECK (total_tickets_sold >= 0 AND total_tickets_held >= 0 AND total_tickets_sold + total_tickets_held <= quota), CONSTRAINT "chk_ticket_types_quota" CHECK (quota BETWEEN 0 AND 1000000), CONSTRAINT "chk_ticket_types_price" CHECK (price >= 0), CONSTRAINT "PK_5510ce7e18a4edc648c9fbfc283" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_ticket_types_event" ON "ticket_types"  ("event_id", "id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_ticket_types_default" ON "ticket_types"  ("event_id") WHERE is_default`,
    );
    await queryRunner.query(
      `INSERT INTO "ticket_types" ("event_id", "name", "price", "is_default", "total_tickets_sold", "total_tickets_held", "total_revenue", "created_at")
             SELECT "id", 'General admission', "price", true, "total_tickets_sold", "total_tickets_held", "total_revenue", "created_at" FROM "events"`,
    );
    for (const table of ['bookings', 'holds']) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD "ticket_type_id" integer`);
      await queryRunner.query(
        `UPDATE "${table}" SET "ticket_type_id" = t."id" FROM "ticket_types" t WHERE t."event_id" = "${table}"."event_id" AND t."is_default"`,
      );
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "ticket_type_id" SET NOT NULL`);
    }
    await queryRunner.query(`CREATE INDEX "idx_bookings_ticket_type" ON "bookings"  ("ticket_type_id") `);
    await queryRunner.query(`CREATE INDEX "idx_holds_ticket_type" ON "holds"  ("ticket_type_id") `);
    await queryRunner.query(
      `ALTER TABLE "ticket_types" ADD CONSTRAINT "FK_9dfa62b35548ea1e0b7e4675b20" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "bookings" ADD CONSTRAINT "fk_bookings_ticket_type" FOREIGN KEY ("ticket_type_id") REFERENCES "ticket_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "holds" ADD CONSTRAINT "fk_holds_ticket_type" FOREIGN KEY ("ticket_type_id") REFERENCES "ticket_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "holds" DROP CONSTRAINT "fk_holds_ticket_type"`);
    await queryRunner.query(`ALTER TABLE "bookings" DROP CONSTRAINT "fk_bookings_ticket_type"`);
    await queryRunner.query(`ALTER TABLE "ticket_types" DROP CONSTRAINT "FK_9dfa62b35548ea1e0b7e4675b20"`);
    await queryRunner.query(`DROP INDEX "public"."idx_holds_ticket_type"`);
    await queryRunner.query(`DROP INDEX "public"."idx_bookings_ticket_type"`);
    await queryRunner.query(`ALTER TABLE "holds" DROP COLUMN "ticket_type_id"`);
    await queryRunner.query(`ALTER TABLE "bookings" DROP COLUMN "ticket_type_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_ticket_types_default"`);
    await queryRunner.query(`DROP INDEX "public"."idx_ticket_types_event"`);
    await queryRunner.query(`DROP TABLE "ticket_types"`);
  }
}
