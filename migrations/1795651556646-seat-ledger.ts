import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The seat ledger's third state: seats held (by checkout holds) beside sold and available. The
 * database refuses more sold and held together than capacity.
 */
export class SeatLedger1795651556646 implements MigrationInterface {
  name = 'SeatLedger1795651556646';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "events" ADD "total_tickets_held" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(
      `ALTER TABLE "events" ADD CONSTRAINT "chk_events_sold_held" CHECK (total_tickets_held >= 0 AND total_tickets_sold + total_tickets_held <= capacity)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "chk_events_sold_held"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "total_tickets_held"`);
  }
}
