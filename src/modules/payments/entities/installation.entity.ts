import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * This database's one installation id, made at the API's first start: every idempotency key and
 * metadata sent to a payment provider carries it, so two databases sharing one Stripe account
 * (or a database made anew) never collide.
 */
@Entity('installation')
@Check('chk_installation_one', `key = 1`)
export class InstallationEntity {
  @PrimaryColumn({ type: 'smallint', default: 1 })
  key: number;

  @Column({ name: 'installation_id', type: 'uuid' })
  installationId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
