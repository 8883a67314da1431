import { AppError } from '../../common/errors/app-error';
import { UserEntity, UserRole } from './entities/user.entity';

/** A customer may reach only what is theirs (owned by `ownerId`), an admin anything: else 403 FORBIDDEN. */
export function assertOwnerOrAdmin(caller: UserEntity, ownerId: number): void {
  if (caller.id !== ownerId && caller.role !== UserRole.Admin) throw AppError.forbidden();
}
