import { AppError, MAX_LISTED_ERRORS } from './app-error';

const fieldErrors = (n: number) => Array.from({ length: n }, (_, i) => ({ field: `f${i}`, message: `f${i} is wrong` }));

describe(AppError.name, () => {
  describe('validation', () => {
    it('spells out up to three field errors in the message', () => {
      expect(AppError.validation(fieldErrors(3)).message).toBe('f0 is wrong; f1 is wrong; f2 is wrong');
    });

    it('counts the field errors past the third in the message instead of repeating them', () => {
      expect(AppError.validation(fieldErrors(10_003)).message).toBe(
        'f0 is wrong; f1 is wrong; f2 is wrong; and 10000 more (10003 errors)',
      );
    });

    it(`lists the first ${MAX_LISTED_ERRORS} field errors`, () => {
      expect(AppError.validation(fieldErrors(10_003)).errors).toEqual(fieldErrors(MAX_LISTED_ERRORS));
    });
  });
});
