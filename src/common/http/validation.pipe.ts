import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldError } from '../errors/app-error';

/**
 * Rejects unknown fields, converts to DTO classes and reports every invalid field by its path.
 * Path parameters are left as sent, for their own pipes (IdPipe) to parse strictly:
 * the default conversion would read `01` or `1e3` as numbers.
 */
class AppValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => AppError.validation(flatten(errors)),
  });
}

/**
 * One message per field: that of the first rule written above it that failed, so a field's type
 * is reported before its length or range. (Decorators register bottom-up, so that rule is the
 * last to have run.)
 */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const message = Object.values(error.constraints ?? {}).at(-1);
    return [...(message ? [{ field, message }] : []), ...flatten(error.children ?? [], field)];
  });
}
