import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/entities/user.entity';

/**
 * A request made with an `Idempotency-Key`, and the response it got. Keys belong to
 * the caller who sent them. `response` is null only inside the transaction that claimed the key.
 */
@Entity('idempotency_keys')
@Index('idx_idempotency_keys_created_at', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: UserEntity;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  /** SHA-256 of the request, normalised, so a retry with another body is told apart. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  /** `json`, not `jsonb`: a replay sends the body back byte for byte, keys in the same order. */
  @Column({ type: 'json', nullable: true })
  response: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
