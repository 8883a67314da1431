import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Promo codes: per-event codes for a discount on the tickets of some or all ticket types,
 * counted per ticket in `uses` (never past `max_uses`), unique per event whatever their case;
 * orders record the code they used and its uses, order lines (holds) their discount; ticket
 * types may be hidden (sold only through a code that names them). Reverting keeps the orders'
 * discounted amounts and drops the codes.
 */
export class PromoCodes1796323692497 implements MigrationInterface {
  name = 'PromoCodes1796323692497';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TYPE "public"."discount_type" AS ENUM('percent', 'amount', 'price')`);
    await queryRunner.query(
      `CREATE TABLE "promo_codes" ("id" SERIAL NOT NULL, "event_id" integer NOT NULL, "code" character varying(64) NOT NULL, "discount_type" "public"."discount_type" NOT NULL, "discount_value" numeric(10,2) NOT NULL, "ticket_type_ids" integer array, "max_uses" integer, "uses" integer NOT NULL DEFAULT '0', "valid_from" TIMESTAMP WITH TIME ZONE, "valid_until" TIMESTAMP WITH TIME ZONE, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_promo_codes_value" CHECK (discount_value >= 0 AND (discount_type <> 'percent' OR discount_value BETWEEN 1 AND 100)), CONSTRAINT "chk_promo_codes_uses" CHECK (uses >= 0 AND uses <= max_uses), CONSTRAINT "PK_c7b4f01710fda5afa056a2b4a35" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_promo_codes_event_code" ON "promo_codes" ("event_id", lower(code))`,
    );
    await queryRunner.query(`ALTER TABLE "orders" ADD "promo_code_id" integer`);
    await queryRunner.query(`ALTER TABLE "orders" ADD "promo_code_uses" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "ticket_types" ADD "hidden" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "holds" ADD "discount_amount" numeric(20,2) NOT NULL DEFAULT '0'`);
    await queryRunner.query(`CREATE INDEX "idx_orders_promo_code" ON "orders"  ("promo_code_id") `);
    await queryRunner.query(
      `ALTER TABLE "ticket_types" ADD CONSTRAINT "chk_ticket_types_hidden" CHECK (NOT (hidden AND is_default))`,
    );
    await queryRunner.query(
      `ALTER TABLE "promo_codes" ADD CONSTRAINT "FK_1ebec1c7d9c344f85c9af5313e8" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_1e7814b20d15af2aa03320e0451" FOREIGN KEY ("promo_code_id") REFERENCES "promo_codes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_1e7814b20d15af2aa03320e0451"`);
    await queryRunner.query(`ALTER TABLE "promo_codes" DROP CONSTRAINT "FK_1ebec1c7d9c344f85c9af5313e8"`);
    await queryRunner.query(`ALTER TABLE "ticket_types" DROP CONSTRAINT "chk_ticket_types_hidden"`);
    await queryRunner.query(`DROP INDEX "public"."idx_orders_promo_code"`);
    await queryRunner.query(`ALTER TABLE "holds" DROP COLUMN "discount_amount"`);
    await queryRunner.query(`ALTER TABLE "ticket_types" DROP COLUMN "hidden"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "promo_code_uses"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "promo_code_id"`);
    await queryRunner.query(`DROP INDEX "public"."uq_promo_codes_event_code"`);
    await queryRunner.query(`DROP TABLE "promo_codes"`);
    await queryRunner.query(`DROP TYPE "public"."discount_type"`);
  }
}
