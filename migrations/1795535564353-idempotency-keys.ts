import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Booking requests sent with an Idempotency-Key and the response each got, per caller, for
 * replaying retries; the created_at index serves the purge of keys past their 24 hours.
 */
export class IdempotencyKeys1795535564353 implements MigrationInterface {
  name = 'IdempotencyKeys1795535564353';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("user_id" integer NOT NULL, "key" character varying(255) NOT NULL, "request_hash" character(64) NOT NULL, "response" json, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_392b1af86f210d98d3f0c764728" PRIMARY KEY ("user_id", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_idempotency_keys_created_at" ON "idempotency_keys"  ("created_at") `);
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "FK_4d2181624ba2d61e76a07175198" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP CONSTRAINT "FK_4d2181624ba2d61e76a07175198"`);
    await queryRunner.query(`DROP INDEX "public"."idx_idempotency_keys_created_at"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
