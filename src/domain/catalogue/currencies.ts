// Currencies as values: ISO 4217 minor-unit exponents (from data/currencies.json, read at the edge), amounts
// as a person reads them, and conversion to PHP with the configured rates (PHP per one major unit).
import { Refusal } from '../errors.js';
import type { Money } from '../model.js';

export class Currencies {
  constructor(private readonly exponents: Readonly<Record<string, number>>) {}

  /** Digits after the decimal point; a currency the table does not list has 2, as most do. */
  exponent(currency: string): number {
    return this.exponents[currency] ?? 2;
  }

  /**
   * An amount a person typed in major units (`150.50`) in minor units; undefined unless it is a number above 0
   * with no more decimals than the currency has (none for JPY).
   */
  minorOf(typed: string, currency: string): number | undefined {
    const exponent = this.exponent(currency);
    const text = typed.trim();
    const pattern = exponent === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${exponent}})?$`);
    if (!pattern.test(text) || Number(text) <= 0) return undefined;
    return Math.round(Number(text) * 10 ** exponent);
  }

  /** How an amount of the currency is typed, for messages: `100.50`, or `100` without decimals. */
  typedExample(currency: string): string {
    const exponent = this.exponent(currency);
    return exponent === 0 ? '100' : `100.${'50'.padEnd(exponent, '0')}`;
  }

  private major(sum: Money): string {
    const exponent = this.exponent(sum.currency);
    return (sum.amount / 10 ** exponent).toLocaleString('en-US', { minimumFractionDigits: exponent, maximumFractionDigits: exponent });
  }

  /**
   * The same text on every page and e-mail: `₱500.00`, `500.00 USD`; beside another currency the PHP amount,
   * since limits and the wallet work in PHP: `500.00 USD (₱28,250.00)`.
   */
  text(sum: Money, php?: Money): string {
    if (sum.currency === 'PHP') return `₱${this.major(sum)}`;
    const text = `${this.major(sum)} ${sum.currency}`;
    return php === undefined || php.currency !== 'PHP' ? text : `${text} (₱${this.major(php)})`;
  }
}

export class CurrencyConverter {
  constructor(private readonly currencies: Currencies, private readonly ratesToPhp: Readonly<Record<string, number>>) {}

  toPhp(sum: Money): Money {
    if (!/^[A-Z]{3}$/.test(sum.currency)) {
      throw new Refusal('invalid-currency', [{ field: 'payment.currency', message: 'Expected an ISO 4217 alphabetic code such as PHP' }]);
    }
    if (sum.currency === 'PHP') return { ...sum };
    const rate = this.ratesToPhp[sum.currency];
    if (rate === undefined) {
      throw new Refusal('currency-not-convertible', [
        { field: 'payment.currency', message: `No conversion rate from ${sum.currency} to PHP is configured (currency_rates)` },
      ]);
    }
    const major = sum.amount / 10 ** this.currencies.exponent(sum.currency);
    return { amount: Math.round(major * rate * 100), currency: 'PHP' };
  }
}
