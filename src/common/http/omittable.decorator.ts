import { ValidateIf } from 'class-validator';

/**
 * The field may be left out; when sent, even as `null`, its rules apply. class-validator's
 * `IsOptional` also lets `null` through, which suits only fields that may be cleared
 * (an event's `description`): elsewhere a null would reach the database or silently mean "unset".
 */
export const Omittable = () => ValidateIf((_, value) => value !== undefined);
