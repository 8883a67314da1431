import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Waiting lists: entries served in order of arrival, each offered freed seats as a hold. An offer
 * is a hold marked `offer`, which does not count against one active hold per user and event.
 */
export class Waitlist1795664863736 implements MigrationInterface {
  name = 'Waitlist1795664863736';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."waitlist_status" AS ENUM('waiting', 'offered', 'fulfilled', 'expired', 'left')`,
    );
    await queryRunner.query(
      `CREATE TABLE "waitlist_entries" ("id" SERIAL NOT NULL, "event_id" integer NOT NULL, "ticket_type_id" integer NOT NULL, "user_id" integer NOT NULL, "quantity" integer NOT NULL, "status" "public"."waitlist_status" NOT NULL DEFAULT 'waiting', "hold_id" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_waitlist_offer" CHECK ((status = 'waiting') = (hold_id IS NULL) OR status IN ('expired', 'left')), CONSTRAINT "chk_waitlist_quantity" CHECK (quantity > 0), CONSTRAINT "PK_bd0ef66fff81d3be7b7a1568a4d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_waitlist_hold" ON "waitlist_entries"  ("hold_id") `);
    await queryRunner.query(`CREATE INDEX "idx_waitlist_user" ON "waitlist_entries"  ("user_id", "id") `);
    await queryRunner.query(`CREATE INDEX "idx_waitlist_event" ON "waitlist_entries"  ("event_id", "id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_waitlist_waiting_event" ON "waitlist_entries"  ("event_id", "id") WHERE status = 'waiting'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_waitlist_open_user_event" ON "waitlist_entries"  ("user_id", "event_id") WHERE status IN ('waiting', 'offered')`,
    );
    await queryRunner.query(`ALTER TABLE "holds" ADD "offer" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`DROP INDEX "public"."uq_holds_active_user_event"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_holds_active_user_event" ON "holds"  ("user_id", "event_id") WHERE status = 'active' AND NOT offer`,
    );
    await queryRunner.query(
      `ALTER TABLE "waitlist_entries" ADD CONSTRAINT "FK_b6dd23d94ea644df6ad968b2735" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "waitlist_entries" ADD CONSTRAINT "FK_5d55152187b936078581a014e8f" FOREIGN KEY ("ticket_type_id") REFERENCES "ticket_types"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "waitlist_entries" ADD CONSTRAINT "FK_accc0d911773551b2eed1a2ed72" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "waitlist_entries" ADD CONSTRAINT "FK_2976b6f869916c13f046d198061" FOREIGN KEY ("hold_id") REFERENCES "holds"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "waitlist_entries" DROP CONSTRAINT "FK_2976b6f869916c13f046d198061"`);
    await queryRunner.query(`ALTER TABLE "waitlist_entries" DROP CONSTRAINT "FK_accc0d911773551b2eed1a2ed72"`);
    await queryRunner.query(`ALTER TABLE "waitlist_entries" DROP CONSTRAINT "FK_5d55152187b936078581a014e8f"`);
    await queryRunner.query(`ALTER TABLE "waitlist_entries" DROP CONSTRAINT "FK_b6dd23d94ea644df6ad968b2735"`);
    await queryRunner.query(`DROP INDEX "public"."uq_holds_active_user_event"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_holds_active_user_event" ON "holds"  ("user_id", "event_id") WHERE status = 'active'`,
    );
    await queryRunner.query(`ALTER TABLE "holds" DROP COLUMN "offer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_waitlist_open_user_event"`);
    await queryRunner.query(`DROP INDEX "public"."idx_waitlist_waiting_event"`);
    await queryRunner.query(`DROP INDEX "public"."idx_waitlist_event"`);
    await queryRunner.query(`DROP INDEX "public"."idx_waitlist_user"`);
    await queryRunner.query(`DROP INDEX "public"."uq_waitlist_hold"`);
    await queryRunner.query(`DROP TABLE "waitlist_entries"`);
    await queryRunner.query(`DROP TYPE "public"."waitlist_status"`);
  }
}
