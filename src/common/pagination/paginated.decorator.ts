import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
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
    ApiOkResponse({
      type: itemType,
      isArray: true,
      headers: { 'X-Total-Count': { description: 'Number of items in all pages', schema: { type: 'integer' } } },
    }),
  );
}
