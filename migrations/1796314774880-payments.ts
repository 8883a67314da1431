import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments: each attempt to pay an order (a Stripe PaymentIntent or a manual payment), every
 * provider event received (its id the key that makes it acted on once), the installation id sent
 * with every request to the provider, and refunds as an outbox (which payment they give money
 * back from, whether they count in the order's refunded amount, their sends). A waiting-list offer
 * may be a pending order. Reverting drops the payments and what was received; orders stay.
 */

export class Payments1796314774880 implements MigrationInterface {
  name = 'Payments1796314774880';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "installation" ("key" smallint NOT NULL DEFAULT '1', "installation_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_installation_one" CHECK (key = 1), CONSTRAINT "PK_1676b4acf6648307ec5e7af7889" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`CREATE TYPE "public"."payment_provider" AS ENUM('stripe', 'manual')`);
    await queryRunner.query(`CREATE TYPE "public"."payment_status" AS ENUM('requires_payment', 'succeeded', 'failed')`);
    await queryRunner.query(
      `CREATE TABLE "payments" ("id" SERIAL NOT NULL, "order_id" integer NOT NULL, "provider" "public"."payment_provider" NOT NULL, "status" "public"."payment_status" NOT NULL, "reference" character varying(255), "client_secret" character varying(255), "amount" numeric(20,2) NOT NULL, "currency" character varying(3) NOT NULL, "attempt" smallint NOT NULL DEFAULT '0', "closed_at" TIMESTAMP WITH TIME ZONE, "checked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_197ab7af18c93fbb0c9b28b4a59" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_payments_open" ON "payments"  ("checked_at") WHERE closed_at IS NULL AND provider = 'stripe'`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_payments_reference" ON "payments"  ("reference") `);
    await queryRunner.query(`CREATE INDEX "idx_payments_order" ON "payments"  ("order_id", "id") `);
    await queryRunner.query(
      `CREATE TABLE "provider_events" ("id" character varying(255) NOT NULL, "type" character varying(100) NOT NULL, "order_id" integer, "outcome" character varying(255) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d882a90f8c8180b9bdae9af62eb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_provider_events_order" ON "provider_events"  ("order_id") `);
    await queryRunner.query(`ALTER TABLE "refunds" ADD "payment_id" integer`);
    await queryRunner.query(`ALTER TABLE "refunds" ADD "counted" boolean NOT NULL DEFAULT true`);
    await queryRunner.query(`ALTER TABLE "refunds" ADD "attempts" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "refunds" ADD "next_attempt_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "refunds" ADD "last_error" character varying(500)`);
    await queryRunner.query(`ALTER TABLE "waitlist_entries" ADD "order_id" integer`);
    await queryRunner.query(
      `CREATE INDEX "idx_refunds_due" ON "refunds"  ("next_attempt_at") WHERE status = 'pending' AND next_attempt_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "idx_refunds_payment" ON "refunds"  ("payment_id") `);
    await queryRunner.query(
      `ALTER TABLE "payments" ADD CONSTRAINT "FK_b2f7b823a21562eeca20e72b006" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refunds" ADD CONSTRAINT "FK_7f48aa5d56c42aeb495db016683" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "waitlist_entries" ADD CONSTRAINT "FK_b1be31080be2921849665c900aa" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "waitlist_entries" DROP CONSTRAINT "FK_b1be31080be2921849665c900aa"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP CONSTRAINT "FK_7f48aa5d56c42aeb495db016683"`);
    await queryRunner.query(`ALTER TABLE "payments" DROP CONSTRAINT "FK_b2f7b823a21562eeca20e72b006"`);
    await queryRunner.query(`DROP INDEX "public"."idx_refunds_payment"`);
    await queryRunner.query(`DROP INDEX "public"."idx_refunds_due"`);
    await queryRunner.query(`ALTER TABLE "waitlist_entries" DROP COLUMN "order_id"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP COLUMN "last_error"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP COLUMN "next_attempt_at"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP COLUMN "attempts"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP COLUMN "counted"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP COLUMN "payment_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_provider_events_order"`);
    await queryRunner.query(`DROP TABLE "provider_events"`);
    await queryRunner.query(`DROP INDEX "public"."idx_payments_order"`);
    await queryRunner.query(`DROP INDEX "public"."uq_payments_reference"`);
    await queryRunner.query(`DROP INDEX "public"."idx_payments_open"`);
    await queryRunner.query(`DROP TABLE "payments"`);
    await queryRunner.query(`DROP TYPE "public"."payment_status"`);
    await queryRunner.query(`DROP TYPE "public"."payment_provider"`);
    await queryRunner.query(`DROP TABLE "installation"`);
  }
}
