// What a method allows before anything is stored: the operation, the interface, the currency and, for a
// payout, the account (docs/protocol-notes.md "PayMaya method": interfaces and limits, payout through Gate).
import type { CurrencyConverter } from '../catalogue/currencies.js';
import { Refusal, fieldRefusal, type FieldProblem } from '../errors.js';
import type { Interface, MethodCatalogue, OperationKind, OperationRules, PaymentMethod } from '../catalogue/methods.js';
import type { Money } from '../model.js';

export interface PayoutAccount { account: Record<string, unknown> }

/** A request's sections as Gate names them, whichever interface it came through. */
export interface RequestSections {
  payment: Record<string, unknown>;
  customer: Record<string, unknown>;
  account: Record<string, unknown>;
  return_url: Record<string, unknown>;
}

export class MethodRules {
  constructor(private readonly methods: MethodCatalogue, private readonly converter: CurrencyConverter) {}

  method(code: string): PaymentMethod {
    const method = this.methods.find(code);
    if (method === undefined) throw new Refusal('unknown-method', [{ field: 'method', message: `No payment method "${code}"` }]);
    return method;
  }

  methodFor(code: string, operation: OperationKind): { method: PaymentMethod; rules: OperationRules } {
    const method = this.method(code);
    const rules = method.operations[operation];
    if (rules === undefined) {
      throw new Refusal('operation-not-supported', [{ field: 'method', message: `${method.title} does not support ${operation}` }]);
    }
    return { method, rules };
  }

  /** The method and its rules, refused unless the operation is offered through `through`. */
  methodThrough(code: string, operation: OperationKind, through: Interface, field = 'interface'): { method: PaymentMethod; rules: OperationRules } {
    const found = this.methodFor(code, operation);
    if (!found.rules.interfaces.includes(through)) {
      throw new Refusal('operation-not-supported', [{ field, message: `${found.method.title} ${operation} is not available through ${through}` }]);
    }
    return found;
  }

  /** Refunds: no method of this sandbox supports them, as the method card says for PayMaya (docs/protocol-notes.md "PayMaya method"). */
  refuseRefund(code: string): never {
    const method = this.method(code);
    throw new Refusal('operation-not-supported', [{ field: 'method', message: `${method.title} does not support refunds` }]);
  }

  /** The PHP amount of a sum, or the currency refusal (3121 / 3023). */
  convert(sum: Money): Money {
    return this.converter.toPhp(sum);
  }

  /** Whether a PHP amount (minor units) is within an operation's limits (docs/protocol-notes.md "PayMaya method": interfaces and limits). */
  amountFits(rules: OperationRules, amountPhp: number): boolean {
    return amountPhp >= rules.min_amount && amountPhp <= rules.max_amount;
  }

  /**
   * The fields the method asks of the operation through `through` (its data's `required_fields`), each refused
   * with 2004 naming it when missing or blank. Each method keeps its own list: the PayMaya card lists
   * `customer.email` and `return_url.success` in a Gate sale; the sibling wallets list none.
   */
  checkRequiredFields(rules: OperationRules, through: Interface, request: RequestSections): void {
    const missing = (rules.required_fields?.[through] ?? []).filter((path) => {
      const [section, member] = path.split('.') as [keyof RequestSections, string];
      const value = request[section][member];
      return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
    });
    if (missing.length > 0) throw new Refusal('invalid-fields', missing.map((field) => ({ field, message: 'Required field not provided' })));
  }

  /** Everything wrong with a payout's account: the wallet number's shape and the customer's full name. */
  payoutAccountProblems(method: PaymentMethod, account: Record<string, unknown>): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const number = account.number;
    if (method.account_number_pattern !== undefined && (typeof number !== 'string' || !new RegExp(method.account_number_pattern).test(number))) {
      problems.push({ field: 'account.number', message: `${method.wallet_name} account number must be 11 digits starting with 09` });
    }
    const name = account.customer_name;
    if (typeof name !== 'string' || name.trim() === '') problems.push({ field: 'account.customer_name', message: 'The customer\'s full name is required' });
    return problems;
  }

  /** A payout's account, refused with its first problem (Gate answers one). */
  checkPayoutAccount(method: PaymentMethod, account: Record<string, unknown>): void {
    const [first] = this.payoutAccountProblems(method, account);
    if (first !== undefined) throw fieldRefusal(first.field, first.message);
  }
}
