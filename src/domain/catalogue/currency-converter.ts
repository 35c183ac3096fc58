// Converts a request's amount to PHP minor units with the configured rates (PHP per one major unit).
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../project-root.js';
import { Refusal } from '../errors.js';
import type { Money } from '../model.js';

const exponents = (JSON.parse(readFileSync(fromRoot('data', 'currencies.json'), 'utf8')) as { exponents: Record<string, number> }).exponents;

export function minorUnitExponent(currency: string): number {
  return exponents[currency] ?? 2;
}

export class CurrencyConverter {
  constructor(private readonly ratesToPhp: Readonly<Record<string, number>>) {}

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
    const major = sum.amount / 10 ** minorUnitExponent(sum.currency);
    return { amount: Math.round(major * rate * 100), currency: 'PHP' };
  }
}
