// ECommPay's unified code table (docs/protocol-notes.md §4) as a value: every message the sandbox sends comes
// from it. The loader at the edge (src/catalogue-loader.ts) reads data/codes.json and hands the table in.

export interface CodeEntry { class: string; message: string }

export const SUCCESS_CODE = '0';
export const AWAITING_CODE = '29999';
export const GENERAL_DECLINE_CODE = '20000';
/** `external error`: the provider failed — the table's APM/provider class, "Declined by external provider". */
export const EXTERNAL_ERROR_CODE = '20100';
/** `internal error`: the platform failed — the table's platform class, "Internal error". */
export const INTERNAL_ERROR_CODE = '501';
/** Which class of the code table an error status's code must come from. */
export const ERROR_CODE_CLASS: Readonly<Record<'external error' | 'internal error', string>> = {
  'external error': 'APM/provider decline',
  'internal error': 'platform',
};
/** The same for a card payment: its external provider is the acquirer (10100 Declined by external provider). */
export const CARD_ERROR_CODE_CLASS: Readonly<Record<'external error' | 'internal error', string>> = {
  'external error': 'card/acquirer decline',
  'internal error': 'platform',
};

export class CodeTable {
  private readonly entries: ReadonlyMap<string, CodeEntry>;

  constructor(entries: Readonly<Record<string, CodeEntry>>) {
    this.entries = new Map(Object.entries(entries));
  }

  message(code: string): string {
    const entry = this.entries.get(code);
    if (entry === undefined) throw new Error(`code ${code} is not in the code table`);
    return entry.message;
  }

  isKnown(code: string): boolean {
    return this.entries.has(code);
  }

  /** The table's class of a code (`platform`, `APM/provider decline`, …), or undefined for an unknown code. */
  classOf(code: string): string | undefined {
    return this.entries.get(code)?.class;
  }
}
