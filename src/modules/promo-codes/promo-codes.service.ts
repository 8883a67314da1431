import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { toCents } from '../../common/money';
import { Page, PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { isUniqueViolation } from '../../database/postgres-errors';
import { TicketTypeEntity } from '../events/entities/ticket-type.entity';
import { EventsService } from '../events/events.service';
import { OrderEntity } from '../orders/entities/order.entity';
import { PurchasePolicy } from '../seats/purchase-policy';
import { SeatLedger } from '../seats/seat-ledger';
import { CreatePromoCodeDto } from './dto/create-promo-code.dto';
import { UpdatePromoCodeDto } from './dto/update-promo-code.dto';
import { DiscountType, PromoCodeEntity } from './entities/promo-code.entity';

/** The shortest code that unlocks a hidden type or can make a ticket free: not guessed in a few tries. */
export const MIN_STRONG_CODE_LENGTH = 8;

/**
 * The promo codes of events, as admins make them. Their `uses` are the SeatLedger's to count,
 * in the statements that hold and free orders' seats; every change here runs under the event's
 * row lock and then the code's (the lock order of every path), so it never races an order.
 */
@Injectable()
export class PromoCodesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventsService,
    private readonly seats: SeatLedger,
    private readonly policy: PurchasePolicy,
  ) {}

  async create(eventId: number, dto: CreatePromoCodeDto): Promise<PromoCodeEntity> {
    return this.db.transaction(async (em) => {
      await this.seats.lock(em, eventId);
      const code = em.create(PromoCodeEntity, {
        eventId,
        code: dto.code,
        discountType: dto.discount_type,
        discountValue: dto.discount_value,
        ticketTypeIds: dto.ticket_type_ids ?? null,
        maxUses: dto.max_uses ?? null,
        validFrom: dto.valid_from ?? null,
        validUntil: dto.valid_until ?? null,
        active: dto.active ?? true,
      });
      await this.assertRules(em, code);
      return saved(em, code);
    });
  }

  /** The event's codes, oldest first. */
  async list(eventId: number, { limit, offset }: PaginationQueryDto): Promise<Page<PromoCodeEntity>> {
    await this.events.get(eventId);
    const [items, total] = await this.db
      .getRepository(PromoCodeEntity)
      .findAndCount({ where: { eventId }, order: { id: 'ASC' }, take: limit, skip: offset });
    return { items, total };
  }

  async get(id: number): Promise<PromoCodeEntity> {
    const code = await this.db.getRepository(PromoCodeEntity).findOneBy({ id });
    if (!code) throw AppError.notFound('Promo code', id);
    return code;
  }

  /** Changes any of its fields; `max_uses` never below the uses taken. */
  async update(id: number, dto: UpdatePromoCodeDto): Promise<PromoCodeEntity> {
    return this.db.transaction(async (em) => {
      const code = await this.locked(em, id);
      const changes: Partial<PromoCodeEntity> = {
        code: dto.code,
        discountType: dto.discount_type,
        discountValue: dto.discount_value,
        ticketTypeIds: dto.ticket_type_ids,
        maxUses: dto.max_uses,
        validFrom: dto.valid_from,
        validUntil: dto.valid_until,
        active: dto.active,
      };
      for (const [field, value] of Object.entries(changes)) {
        if (value !== undefined) Object.assign(code, { [field]: value });
      }
      if (code.maxUses !== null && code.maxUses < code.uses) {
        const message = `max_uses ${code.maxUses} is below the ${code.uses} uses already taken`;
        throw AppError.validation([{ field: 'max_uses', message }]);
      }
      await this.assertRules(em, code);
      return saved(em, code);
    });
  }

  /** Only a code no order ever used can be deleted; a used one can be turned off (`active: false`). */
  async remove(id: number): Promise<void> {
    await this.db.transaction(async (em) => {
      await this.locked(em, id);
      if (await em.existsBy(OrderEntity, { promoCodeId: id })) {
        throw new AppError('PROMO_CODE_IN_USE', `Promo code ${id} was used by an order; set active to false instead`);
      }
      await em.delete(PromoCodeEntity, { id });
    });
  }

  /** The code as it is under its event's row lock and then its own. */
  private async locked(em: EntityManager, id: number): Promise<PromoCodeEntity> {
    const { eventId } = await this.get(id);
    await this.seats.lock(em, eventId);
    const code = await em.findOne(PromoCodeEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!code) throw AppError.notFound('Promo code', id);
    return code;
  }

  /**
   * 400 unless: a percent is whole, 1 to 100; money is chargeable in the payment currency; the
   * code's types are the event's; it is valid for a while; and a code that unlocks a hidden type
   * or can bring a ticket of its types to 0.00 is at least MIN_STRONG_CODE_LENGTH long.
   */
  private async assertRules(em: EntityManager, code: PromoCodeEntity): Promise<void> {
    const value = toCents(code.discountValue);
    if (code.discountType === DiscountType.Percent) {
      if (value % 100n !== 0n || value < 100n || value > 10_000n) {
        invalid('discount_value', 'a percent discount_value must be a whole number from 1 to 100');
      }
    } else {
      this.policy.assertPrice(code.discountValue, 'discount_value');
    }
    if (code.validFrom && code.validUntil && code.validUntil <= code.validFrom) {
      invalid('valid_until', 'valid_until must be after valid_from');
    }
    const types = await em.find(TicketTypeEntity, { where: { eventId: code.eventId } });
    const foreign = code.ticketTypeIds?.find((id) => !types.some((type) => type.id === id));
    if (foreign !== undefined) {
      invalid('ticket_type_ids', `ticket type ${foreign} is not a ticket type of event ${code.eventId}`);
    }
    const covered = types.filter((type) => code.ticketTypeIds?.includes(type.id) ?? !type.hidden);
    const free = covered.some((type) => type.price !== '0.00' && discountsToZero(code, toCents(type.price)));
    const unlocks = covered.some((type) => type.hidden);
    if ((free || unlocks) && code.code.length < MIN_STRONG_CODE_LENGTH) {
      const why = unlocks ? 'unlocks a hidden ticket type' : 'can bring a ticket to 0.00';
      invalid('code', `code must be at least ${MIN_STRONG_CODE_LENGTH} characters long: it ${why}`);
    }
  }
}

/** Whether the code takes a ticket priced `price` (cents) to 0.00. */
function discountsToZero({ discountType, discountValue }: PromoCodeEntity, price: bigint): boolean {
  const value = toCents(discountValue);
  if (discountType === DiscountType.Percent) return value === 10_000n;
  if (discountType === DiscountType.Amount) return value >= price;
  return value === 0n;
}

function invalid(field: string, message: string): never {
  throw AppError.validation([{ field, message }]);
}

/** Saves the code; 409 PROMO_CODE_TAKEN when the event has it already, whatever its case. */
async function saved(em: EntityManager, code: PromoCodeEntity): Promise<PromoCodeEntity> {
  try {
    return await em.save(code);
  } catch (error) {
    if (!isUniqueViolation(error, 'promo_codes')) throw error;
    throw new AppError('PROMO_CODE_TAKEN', `Event ${code.eventId} already has the promo code ${code.code}`);
  }
}
