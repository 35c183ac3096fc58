// Payment methods as data (data/methods/*.json) with per-project-file overrides of limits and times.
import { readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from '../project-root.js';
import { ConfigError, type OperationOverride } from '../config.js';

export type OperationKind = 'sale' | 'payout';
export type Interface = 'gate' | 'payment_page' | 'dashboard';

export interface OperationRules {
  interfaces: Interface[];
  min_amount: number;
  max_amount: number;
  base_seconds: number;
  limit_seconds: number;
  /** Request fields the method card (docs/protocol-notes.md "PayMaya method") asks for, per interface, as `section.member` paths (sections below). */
  required_fields?: Partial<Record<Interface, string[]>>;
}

/** The request sections a required field may name: Gate's objects, which every interface's request maps to. */
export const REQUEST_SECTIONS = ['payment', 'customer', 'account', 'return_url'] as const;

export interface PaymentMethod {
  code: string;
  title: string;
  wallet_name: string;
  payment_page_code: string;
  display_order: number;
  /** Provider facts put in callbacks per operation (docs/protocol-notes.md "PayMaya method": PYMY for sales, GRPY for payouts). */
  providers: Partial<Record<OperationKind, { id: number; endpoint_id: string }>>;
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

export class MethodCatalogue {
  private readonly byCode = new Map<string, PaymentMethod>();

  constructor(methods: PaymentMethod[]) {
    for (const method of methods) this.byCode.set(method.code, method);
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

export function loadMethods(overrides: Record<string, Partial<Record<OperationKind, OperationOverride>>> = {}): MethodCatalogue {
  const folder = fromRoot('data', 'methods');
  const methods = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(`${folder}/${name}`, 'utf8')) as PaymentMethod);
  for (const method of methods) checkRequiredFields(method);
  for (const [code, override] of Object.entries(overrides)) {
    const method = methods.find((m) => m.code === code);
    if (method === undefined) throw new ConfigError(`SANDBOX_CONFIG: methods.${code}: no such method`);
    for (const kind of ['sale', 'payout'] as const) {
      const rules = method.operations[kind];
      const change = override[kind];
      if (change === undefined) continue;
      if (rules === undefined) throw new ConfigError(`SANDBOX_CONFIG: methods.${code}.${kind}: the method has no ${kind}`);
      method.operations[kind] = { ...rules, ...change };
    }
  }
  return new MethodCatalogue(methods);
}

/** A method file's `required_fields` must name interfaces the operation has and paths in a known section. */
export function checkRequiredFields(method: PaymentMethod): void {
  for (const [kind, rules] of Object.entries(method.operations)) {
    if (rules === undefined) continue;
    for (const [through, paths] of Object.entries(rules.required_fields ?? {})) {
      const where = `data/methods/${method.code}.json: operations.${kind}.required_fields.${through}`;
      if (!rules.interfaces.includes(through as Interface)) throw new Error(`${where}: the operation is not offered through ${through}`);
      for (const path of paths) {
        const [section, member, ...rest] = path.split('.');
        if (!(REQUEST_SECTIONS as readonly string[]).includes(section ?? '') || member === undefined || member === '' || rest.length > 0) {
          throw new Error(`${where}: "${path}" is not a section.member path (sections: ${REQUEST_SECTIONS.join(', ')})`);
        }
      }
    }
  }
}
