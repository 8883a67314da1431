import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error';

const MAX_ID = 2_147_483_647;

/** Path ids are positive 32-bit integers written in plain digits; anything else is a 400. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    const id = /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : NaN;
    if (!(id <= MAX_ID)) {
      const field = data ?? 'id';
      throw AppError.validation([{ field, message: `${field} must be a positive integer` }]);
    }
    return id;
  }
}
