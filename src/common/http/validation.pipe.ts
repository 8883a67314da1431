import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldError } from '../errors/app-error';
import { firstBrokenRule } from '../first-broken-rule';

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

/** One message per field (see firstBrokenRule), nested fields by their path. */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const message = firstBrokenRule(error);
    return [...(message ? [{ field, message }] : []), ...flatten(error.children ?? [], field)];
  });
}
