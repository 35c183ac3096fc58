// Payment methods as values: one per data/methods/*.json, read and schema-checked at the edge
// (src/catalogue-loader.ts), with the config file's overrides of limits and times already applied.
import type { Interface, OperationKind } from '../model.js';

export type { Interface, OperationKind };

export interface OperationRules {
  interfaces: Interface[];
  min_amount: number;
  max_amount: number;
  base_seconds: number;
  limit_seconds: number;
  /** Request fields the method asks for, per interface, as `section.member` paths (sections below). */
  required_fields?: Partial<Record<Interface, string[]>>;
}

/** A config file's change to an operation's limits and times. */
export interface OperationOverride { min_amount?: number; max_amount?: number; base_seconds?: number; limit_seconds?: number }

/** The request sections a required field may name: Gate's objects, which every interface's request maps to. */
export const REQUEST_SECTIONS = ['payment', 'customer', 'account', 'return_url'] as const;

export interface PaymentMethod {
  code: string;
  /** The state machine its payments follow (src/domain/payments/families/). */
  family: 'wallet' | 'card';
  /** `payment.method` in callbacks and status answers: `card`, `etoken` (Apple Pay)…; the title when not given. */
  callback_method?: string;
  /** The method takes auth, then capture or cancel (card-family methods). */
  two_step?: boolean;
  /** Codes of the card family's own declines. */
  card_codes?: {
    threeds_timeout: string; threeds_failed: string; operation_decline: string; refund_exceeds_balance: string; clarification_timeout: string;
    recurring_expired: string; recurring_cancelled: string; recurring_issuer_cancelled: string;
  };
  /** A card wallet shown on the Payment Page as a simulated wallet sheet: the holder name its cards carry. */
  wallet_sheet?: { holder: string };
  title: string;
  wallet_name: string;
  payment_page_code: string;
  display_order: number;
  /** Provider facts put in callbacks per operation (docs/protocol-notes.md "PayMaya method": PYMY for sales, GRPY for payouts). */
  providers: Partial<Record<OperationKind, { id: number; endpoint_id: string | number }>>;
  currencies: string[];
  operations: Partial<Record<OperationKind, OperationRules>>;
  /** Codes of the declines the sandbox decides itself (docs/fidelity-notes.md). */
  decline_codes: { limit_decline: string; auto_decline: string; no_eligible_purchase: string; customer_decline: string; customer_cancel: string };
  refunds: boolean;
  recurring: boolean;
  chargebacks: boolean;
  payout_requires_purchase_with?: string[];
  account_number_pattern?: string;
}

/** A method file that says something the schema cannot check: named in the message, it stops the start. */
export class CatalogueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogueError';
  }
}

export class MethodCatalogue {
  private readonly byCode = new Map<string, PaymentMethod>();

  constructor(methods: PaymentMethod[]) {
    for (const method of methods) {
      checkRequiredFields(method);
      this.byCode.set(method.code, method);
    }
  }

  find(code: string): PaymentMethod | undefined {
    return this.byCode.get(code);
  }

  findByPaymentPageCode(code: string): PaymentMethod | undefined {
    return this.all().find((m) => m.payment_page_code === code);
  }

  all(): PaymentMethod[] {
    return [...this.byCode.values()].sort((a, b) => a.display_order - b.display_order);
  }
}

/**
 * The decline codes a tool offers to force on a payment of the method besides the scenarios' own: a card-family
 * method's card, limit, 3-D Secure and clarification declines from its data (those of refunds and of saved cards'
 * debits excepted), general decline first,
 * which take the place of the wallet declines of the catalogue's method-less scenarios; none for a wallet.
 */
export function forcedDeclineCodes(method: PaymentMethod): string[] {
  if (method.family !== 'card') return [];
  const card = method.card_codes;
  const codes = [card?.operation_decline, ...Object.values(method.decline_codes), card?.threeds_failed, card?.threeds_timeout, card?.clarification_timeout];
  return [...new Set(codes.filter((code): code is string => code !== undefined))];
}

/** A method's `required_fields` must name interfaces the operation has and paths in a known section. */
export function checkRequiredFields(method: PaymentMethod): void {
  for (const [kind, rules] of Object.entries(method.operations)) {
    if (rules === undefined) continue;
    for (const [through, paths] of Object.entries(rules.required_fields ?? {})) {
      const where = `data/methods/${method.code}.json: operations.${kind}.required_fields.${through}`;
      if (!rules.interfaces.includes(through as Interface)) throw new CatalogueError(`${where}: the operation is not offered through ${through}`);
      for (const path of paths) {
        const [section, member, ...rest] = path.split('.');
        if (!(REQUEST_SECTIONS as readonly string[]).includes(section ?? '') || member === undefined || member === '' || rest.length > 0) {
          throw new CatalogueError(`${where}: "${path}" is not a section.member path (sections: ${REQUEST_SECTIONS.join(', ')})`);
        }
      }
    }
  }
}
