/** Currencies Stripe charges in whole units (https://docs.stripe.com/currencies#zero-decimal). */
const ZERO_DECIMAL = new Set('bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '));
/** Currencies Stripe counts in thousandths (https://docs.stripe.com/currencies#three-decimal). */
const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));

/** How many decimals a currency's minor unit has, as Stripe counts them. */
export function decimalsOf(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  return THREE_DECIMAL.has(currency) ? 3 : 2;
}

/** Whether `amount` (a decimal string with at most two decimals) can be charged in `currency`. */
export function isChargeable(amount: string, currency: string): boolean {
  return decimalsOf(currency) > 0 || /^\d+(\.0*)?$/.test(amount);
}

/**
 * `amount` (a non-negative decimal string with at most two decimals, as the database writes
 * numeric(20,2)) in `currency`'s minor unit, exactly: "12.34" thb is 1234, "1500.00" jpy 1500.
 */
export function toMinorUnits(amount: string, currency: string): number {
  const [whole, fraction = ''] = amount.split('.');
  const decimals = decimalsOf(currency);
  const cents = BigInt(whole + fraction.padEnd(2, '0').slice(0, 2));
  const minor = decimals >= 2 ? cents * 10n ** BigInt(decimals - 2) : cents / 100n;
  return Number(minor);
}

/** A minor-unit amount of `currency` as a decimal string with two decimals, exactly: 1234 thb is "12.34". */
export function fromMinorUnits(minor: number, currency: string): string {
  const decimals = decimalsOf(currency);
  const cents = decimals >= 2 ? BigInt(minor) / 10n ** BigInt(decimals - 2) : BigInt(minor) * 100n;
  const text = cents.toString().padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}
