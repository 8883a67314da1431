import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Checkout holds: seats kept for one buyer while they pay. At most one active hold per user and
 * event (a partial unique index); a confirmed hold points at its one booking.
 */
export class Holds1795652708247 implements MigrationInterface {
  name = 'Holds1795652708247';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."hold_status" AS ENUM('active', 'confirmed', 'released', 'expired')`);
    await queryRunner.query(
      `CREATE TABLE "holds" ("id" SERIAL NOT NULL, "user_id" integer NOT NULL, "event_id" integer NOT NULL, "quantity" integer NOT NULL, "total_amount" numeric(20,2) NOT NULL, "status" "public"."hold_status" NOT NULL DEFAULT 'active', "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "booking_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_holds_booking" CHECK ((status = 'confirmed') = (booking_id IS NOT NULL)), CONSTRAINT "chk_holds_amount" CHECK (total_amount >= 0), CONSTRAINT "chk_holds_quantity" CHECK (quantity > 0), CONSTRAINT "PK_a8a21700a256e0267fb43f4f7ae" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_holds_booking" ON "holds"  ("booking_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_holds_active_expiry" ON "holds"  ("expires_at") WHERE status = 'active'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_holds_active_event_expiry" ON "holds"  ("event_id", "expires_at") WHERE status = 'active'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_holds_active_user_event" ON "holds"  ("user_id", "event_id") WHERE status = 'active'`,
    );
    await queryRunner.query(
      `ALTER TABLE "holds" ADD CONSTRAINT "FK_396a8589674ac6f0d4f78638162" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "holds" ADD CONSTRAINT "FK_5d31ba288656b37f2fade03e929" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "holds" ADD CONSTRAINT "FK_360edc289b2940b3edf01d7a396" FOREIGN KEY ("booking_id") REFERENCES "bookings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "holds" DROP CONSTRAINT "FK_360edc289b2940b3edf01d7a396"`);
    await queryRunner.query(`ALTER TABLE "holds" DROP CONSTRAINT "FK_5d31ba288656b37f2fade03e929"`);
    await queryRunner.query(`ALTER TABLE "holds" DROP CONSTRAINT "FK_396a8589674ac6f0d4f78638162"`);
    await queryRunner.query(`DROP INDEX "public"."uq_holds_active_user_event"`);
    await queryRunner.query(`DROP INDEX "public"."idx_holds_active_event_expiry"`);
    await queryRunner.query(`DROP INDEX "public"."idx_holds_active_expiry"`);
    await queryRunner.query(`DROP INDEX "public"."uq_holds_booking"`);
    await queryRunner.query(`DROP TABLE "holds"`);
    await queryRunner.query(`DROP TYPE "public"."hold_status"`);
  }
}
