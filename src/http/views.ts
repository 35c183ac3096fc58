// The Eta engine over views/, with escaping on by default for everything a page echoes.
import { Eta } from 'eta';
import { fromRoot } from '../project-root.js';

export const views = new Eta({ views: fromRoot('views'), autoEscape: true, cache: true });

export function formatMinor(amount: number, currency: string, exponent = 2): string {
  const major = (amount / 10 ** exponent).toLocaleString('en-US', { minimumFractionDigits: exponent, maximumFractionDigits: exponent });
  return currency === 'PHP' ? `₱${major}` : `${major} ${currency}`;
}
