// Payment cards as values: brands by the first digits, ECommPay's test cards and what each does, and the
// sandbox ACS page's code (data/cards/*.json, read at the edge by src/catalogue-loader.ts). The full number is
// only ever looked at here and in the request that carries it: what is kept is its mask, brand and profile.

export type ThreeDsFlow = 'none' | 'frictionless' | 'challenge';

/** What a card does: its 3-D Secure flow, the result and code of its payments, and its later COF debits. */
export interface CardProfile {
  flow: ThreeDsFlow;
  result: 'success' | 'decline';
  code: string;
  /** The code every COF debit of the card is declined with. */
  recurring_decline?: string;
  label?: string;
}

export interface TestCard extends CardProfile { pan: string; label: string }

export interface Brand { type: string; title: string; prefixes: string[]; eci: { authenticated: string; none: string } }

export interface TestCardsFile { default: CardProfile; cards: TestCard[]; challenge: { code: string; wrong_codes_allowed: number } }

/** `4111111111111111` → `411111******1111`: the first six and last four digits, a star for each digit between. */
export function maskPan(pan: string): string {
  return `${pan.slice(0, 6)}${'*'.repeat(Math.max(0, pan.length - 10))}${pan.slice(-4)}`;
}

/** The Luhn check every real card number passes. */
export function passesLuhn(pan: string): boolean {
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let digit = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Whether a number starts within a prefix: `4`, or a range of same-length prefixes `2221-2720`. */
function startsWithin(pan: string, prefix: string): boolean {
  const [low, high = low] = prefix.split('-') as [string, string | undefined];
  const head = Number(pan.slice(0, low.length));
  return head >= Number(low) && head <= Number(high);
}

export class CardCatalogue {
  private readonly byPan: ReadonlyMap<string, TestCard>;

  constructor(private readonly brands: readonly Brand[], private readonly testCards: TestCardsFile) {
    this.byPan = new Map(testCards.cards.map((card) => [card.pan, card]));
  }

  /** The brand of a number, by the first matching prefix in the brands' order; undefined for none. */
  brandOf(pan: string): Brand | undefined {
    return this.brands.find((brand) => brand.prefixes.some((prefix) => startsWithin(pan, prefix)));
  }

  brand(type: string): Brand | undefined {
    return this.brands.find((brand) => brand.type === type);
  }

  /** What a card number does: a test card's own profile, else the default (success without 3-D Secure). Never the number. */
  profileOf(pan: string): CardProfile {
    const { flow, result, code, recurring_decline: recurringDecline, label } = this.byPan.get(pan) ?? this.testCards.default;
    return { flow, result, code, ...(recurringDecline === undefined ? {} : { recurring_decline: recurringDecline }), ...(label === undefined ? {} : { label }) };
  }

  list(): readonly TestCard[] {
    return this.testCards.cards;
  }

  /** The ACS page's one-time code, and how many wrong ones it takes before the authentication fails. */
  get challenge(): { code: string; wrong_codes_allowed: number } {
    return this.testCards.challenge;
  }
}
