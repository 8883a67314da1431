import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { map, Observable } from 'rxjs';
import { Page } from './pagination-query.dto';

@Injectable()
class PageInterceptor<T> implements NestInterceptor<Page<T>, T[]> {
  intercept(context: ExecutionContext, next: CallHandler<Page<T>>): Observable<T[]> {
    return next.handle().pipe(
      map(({ items, total }) => {
        context.switchToHttp().getResponse<Response>().setHeader('X-Total-Count', String(total));
        return items;
      }),
    );
  }
}

/** The handler returns a `Page`; clients get the bare array and the full count in `X-Total-Count`. */
export function Paginated(itemType: Type) {
  return applyDecorators(
    UseInterceptors(PageInterceptor),
    ApiExtraModels(itemType),
    ApiOkResponse({
      schema: { type: 'array', maxItems: 100, items: { $ref: getSchemaPath(itemType) } },
      headers: {
        'X-Total-Count': { description: 'Number of items in all pages', required: true, schema: { type: 'integer' } },
      },
    }),
  );
}
