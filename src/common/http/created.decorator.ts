import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  Type,
  UseInterceptors,
} from '@nestjs/common';
import { ApiCreatedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Observable, tap } from 'rxjs';

@Injectable()
class LocationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<{ id: number }>): Observable<{ id: number }> {
    const http = context.switchToHttp();
    return next.handle().pipe(
      tap(({ id }) => {
        const collection = http.getRequest<Request>().originalUrl.split('?')[0];
        http.getResponse<Response>().location(`${collection}/${id}`);
      }),
    );
  }
}

/** A 201 carrying the new resource, whose URL (the collection posted to, then its id) is sent as `Location`. */
export function Created(type: Type) {
  return applyDecorators(
    UseInterceptors(LocationInterceptor),
    ApiCreatedResponse({
      type,
      description: 'Created',
      headers: {
        Location: {
          description: 'URL of the created resource',
          schema: { type: 'string', format: 'uri-reference', maxLength: 2048 },
        },
      },
    }),
  );
}
