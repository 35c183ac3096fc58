// Amounts as a person reads them, the same on every page and e-mail: major units with the currency (₱ for PHP),
// and the PHP amount beside any other currency, since limits and the wallet work in PHP.
import { minorUnitExponent } from './currency-converter.js';
import type { Money } from '../model.js';

function major(sum: Money): string {
  const exponent = minorUnitExponent(sum.currency);
  return (sum.amount / 10 ** exponent).toLocaleString('en-US', { minimumFractionDigits: exponent, maximumFractionDigits: exponent });
}

/** `₱500.00`, `500.00 USD`; with the PHP amount of another currency: `500.00 USD (₱28,250.00)`. */
export function moneyText(sum: Money, php?: Money): string {
  if (sum.currency === 'PHP') return `₱${major(sum)}`;
  const text = `${major(sum)} ${sum.currency}`;
  return php === undefined || php.currency !== 'PHP' ? text : `${text} (₱${major(php)})`;
}
