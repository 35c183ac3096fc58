// Reads the card a request carries (docs/card-protocol.md D12): the number must pass Luhn and belong to a known
// brand, the expiry must not be past on the sandbox clock, the CVV and the holder must be there. What comes out is
// what may be kept — the masked number, brand, holder and expiry — and what the card does; never the number or
// CVV themselves. Fields are named by Gate's paths (`card.pan`); each surface names them in its own terms.
import { maskPan, passesLuhn, type Brand, type CardCatalogue, type CardProfile } from '../catalogue/cards.js';
import { Refusal, type FieldProblem, type RefusalKind } from '../errors.js';

export interface CardInput { pan: unknown; month: unknown; year: unknown; cvv: unknown; holder: unknown }

/** The account members a card payment keeps and reports. */
export interface CardAccount { number: string; type: string; card_holder: string; expiry_month: string; expiry_year: string }

export interface CardDetails { account: CardAccount; brand: Brand; profile: CardProfile }

interface Problem extends FieldProblem { kind: RefusalKind }

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');

/** A whole number from a JSON integer or its digits. */
function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  return typeof value === 'string' && /^\d{1,4}$/.test(value.trim()) ? Number(value) : undefined;
}

function panProblems(pan: string, cards: CardCatalogue): { problems: Problem[]; brand: Brand | undefined } {
  if (!/^\d{12,19}$/.test(pan) || !passesLuhn(pan)) {
    return { problems: [{ kind: 'invalid-fields', field: 'card.pan', message: 'Enter a valid card number (12 to 19 digits that pass the Luhn check)' }], brand: undefined };
  }
  const brand = cards.brandOf(pan);
  if (brand === undefined) return { problems: [{ kind: 'invalid-fields', field: 'card.pan', message: 'Unknown card brand' }], brand: undefined };
  return { problems: [], brand };
}

function expiryProblems(month: number | undefined, year: number | undefined, now: number): Problem[] {
  const problems: Problem[] = [];
  if (month === undefined || month < 1 || month > 12) problems.push({ kind: 'invalid-fields', field: 'card.month', message: 'The expiry month is a number from 1 to 12' });
  if (year === undefined || year < 2000 || year > 2099) problems.push({ kind: 'invalid-fields', field: 'card.year', message: 'The expiry year has four digits' });
  if (problems.length > 0 || month === undefined || year === undefined) return problems;
  const today = new Date(now);
  if (year * 12 + month < today.getUTCFullYear() * 12 + today.getUTCMonth() + 1) {
    problems.push({ kind: 'card-expired', field: 'card.year', message: `The card expired at the end of ${String(month).padStart(2, '0')}/${year}` });
  }
  return problems;
}

/** The card's details, or one refusal listing every problem (its code that of the first). `now`: the sandbox time. */
export function readCard(input: CardInput, cards: CardCatalogue, now: number): CardDetails {
  const pan = text(input.pan).replace(/[\s-]/g, '');
  const { problems, brand } = panProblems(pan, cards);
  const month = integerOf(input.month);
  const year = integerOf(input.year);
  problems.push(...expiryProblems(month, year, now));
  const cvv = text(input.cvv);
  if (cvv === '') problems.push({ kind: 'cvv-required', field: 'card.cvv', message: 'Enter the CVV: the 3 or 4 digits on the card' });
  else if (!/^\d{3,4}$/.test(cvv)) problems.push({ kind: 'invalid-fields', field: 'card.cvv', message: 'The CVV has 3 or 4 digits' });
  const holder = text(input.holder);
  if (holder === '') problems.push({ kind: 'cardholder-required', field: 'card.card_holder', message: 'Enter the name as it is on the card' });
  const [first] = problems;
  if (first !== undefined || brand === undefined) {
    throw new Refusal(first?.kind ?? 'invalid-fields', problems.map(({ field, message, kind }) => ({ field, message, code: new Refusal(kind).code })));
  }
  return {
    brand,
    profile: cards.profileOf(pan),
    account: {
      number: maskPan(pan),
      type: brand.type,
      card_holder: holder,
      expiry_month: String(month).padStart(2, '0'),
      expiry_year: String(year),
    },
  };
}
