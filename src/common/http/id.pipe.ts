import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { AppError } from '../errors/app-error';
import { MAX_INT } from './integer.decorator';

/** Path ids are positive 32-bit integers written in plain digits; anything else is a 400. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    const id = /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : NaN;
    if (!(id <= MAX_INT)) {
      const field = data ?? 'id';
      throw AppError.validation([{ field, message: `${field} must be a positive integer` }]);
    }
    return id;
  }
}

/** Documents the path id `name` of a route as IdPipe reads it. */
export const ApiIdParam = (name = 'id') =>
  ApiParam({ name, schema: { type: 'integer', minimum: 1, maximum: MAX_INT, example: 1 } });
