import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

const ISO_DATE_TIME =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?<offset>Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$/;

/** An ISO 8601 date-time as a Date; one without an offset is read as UTC. Null for anything else. */
export function parseDateTime(text: string): Date | null {
  const groups = ISO_DATE_TIME.exec(text)?.groups;
  if (!groups) return null;
  const [year, month, day] = [groups.year, groups.month, groups.day].map(Number);
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  if (calendarDay.getUTCMonth() !== month - 1 || calendarDay.getUTCDate() !== day) return null;
  return new Date(groups.offset ? text : `${text}Z`);
}

/** A date-time input (`2026-12-25T19:00:00Z`, `2026-12-25T19:00:00+07:00`, `2026-12-25T19:00`), converted to a Date. */
export function IsDateTime(): PropertyDecorator {
  const convert = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? (parseDateTime(value) ?? value) : value,
  );
  const validate = ValidateBy({
    name: 'isDateTime',
    validator: {
      validate: (value) => value instanceof Date,
      defaultMessage: (args) => `${args?.property} must be an ISO 8601 date-time, such as 2026-12-25T19:00:00Z`,
    },
  });
  return (target, key) => {
    convert(target, key);
    validate(target, key);
  };
}
