import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: endpoints, the outbox of messages (written in the transaction of the change each
 * reports) and one delivery per message and subscribed endpoint, taken by the dispatchers of
 * every API process in order per endpoint and resource.
 */
export class Webhooks1795668850599 implements MigrationInterface {
  name = 'Webhooks1795668850599';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "webhook_endpoints" ("id" SERIAL NOT NULL, "url" text NOT NULL, "events" text array NOT NULL, "description" text, "secret" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "disabled_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "webhook_messages" ("id" uuid NOT NULL, "type" text NOT NULL, "resource" text NOT NULL, "data" json NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_526e8e1655924920adc4cd30dcd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE TYPE "public"."webhook_delivery_status" AS ENUM('pending', 'delivered', 'failed')`);
    await queryRunner.query(
      `CREATE TABLE "webhook_deliveries" ("id" SERIAL NOT NULL, "endpoint_id" integer NOT NULL, "message_id" uuid NOT NULL, "resource" text NOT NULL, "status" "public"."webhook_delivery_status" NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_pending_resource" ON "webhook_deliveries"  ("endpoint_id", "resource", "id") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_pending" ON "webhook_deliveries"  ("id") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_webhook_deliveries_endpoint" ON "webhook_deliveries"  ("endpoint_id", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_35330ff895962f7bd8a46c18177" FOREIGN KEY ("message_id") REFERENCES "webhook_messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_35330ff895962f7bd8a46c18177"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_endpoint"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_pending"`);
    await queryRunner.query(`DROP INDEX "public"."idx_webhook_deliveries_pending_resource"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TYPE "public"."webhook_delivery_status"`);
    await queryRunner.query(`DROP TABLE "webhook_messages"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}
