// The result e-mail a wallet sends its customer (docs/protocol-notes.md "PayMaya method": PayMaya e-mails the customer the result).
import type { PaymentMethod } from '../catalogue/methods.js';
import type { Outcome, Payment } from '../model.js';
import type { Currencies } from '../catalogue/currencies.js';

export function resultMail(payment: Payment, method: PaymentMethod, outcome: Outcome, currencies: Currencies): { from: string; subject: string; body: string } {
  const amount = currencies.text(payment.sumConverted);
  const what = payment.type === 'purchase' ? 'payment' : 'payout';
  const subject = outcome.status === 'success'
    ? `${method.wallet_name}: your ${what} of ${amount} was successful`
    : `${method.wallet_name}: your ${what} of ${amount} did not go through`;
  const body = [
    `Reference: ${payment.paymentId}`,
    `Amount: ${amount}`,
    `Status: ${outcome.status}${outcome.status === 'success' ? '' : ` (${outcome.code} ${outcome.message})`}`,
    payment.description === '' ? '' : `Description: ${payment.description}`,
    payment.account.number === undefined ? '' : `Account: ${String(payment.account.number)}`,
  ].filter((line) => line !== '').join('\n');
  return { from: `no-reply@${method.code}.sandbox`, subject, body };
}
