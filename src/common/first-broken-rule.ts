import { ValidationError } from 'class-validator';

/**
 * The message of the first rule written above a property that it broke, so that its type is
 * reported before its range ("PORT must be an integer", not "must not be greater than 65535").
 * Decorators register bottom-up, so that rule is the last to have run; validate without
 * `stopAtFirstError` for every rule to run.
 */
export function firstBrokenRule(error: ValidationError): string | undefined {
  return Object.values(error.constraints ?? {}).at(-1);
}
