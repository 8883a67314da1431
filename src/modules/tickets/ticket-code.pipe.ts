import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { AppError } from '../../common/errors/app-error';
import { TICKET_CODE_PATTERN } from './ticket-code';

/** A path ticket code must look like one (`TKT-YYYYMMDD-XXXXXXXX`); anything else is a 400. */
@Injectable()
export class TicketCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!TICKET_CODE_PATTERN.test(value)) {
      throw AppError.validation([
        { field: 'ticket_code', message: 'ticket_code must look like TKT-YYYYMMDD-XXXXXXXX' },
      ]);
    }
    return value;
  }
}

/** Documents the `ticket_code` path parameter as TicketCodePipe reads it. */
export const ApiTicketCodeParam = () =>
  ApiParam({
    name: 'ticket_code',
    schema: { type: 'string', pattern: TICKET_CODE_PATTERN.source, maxLength: 21, example: 'TKT-20261225-7K3QX9PA' },
  });
