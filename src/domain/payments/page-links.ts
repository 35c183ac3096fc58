// Where browsers go: the wallet's checkout of a payment, its redirect data, and where the customer returns.
import type { RedirectData } from '../callbacks/callback-body.js';
import { resultOf, type Payment } from '../model.js';

export class PageLinks {
  constructor(private readonly publicUrl: string) {}

  /** The wallet checkout for a payment, as a path on this sandbox. */
  checkoutPath(payment: Payment): string {
    return `/paymaya/checkout?tokenid=${payment.checkoutToken}`;
  }

  /** The sandbox bank's 3DS Method page of a Gate card payment, which the merchant loads in a hidden iframe. */
  acsMethodUrl(token: string): string {
    return `${this.publicUrl}/acs/method/${token}`;
  }

  /** Where a Gate merchant sends its customer (a form POST of `creq`) for the challenge. */
  acsChallengeUrl(token: string): string {
    return `${this.publicUrl}/acs/challenge/${token}`;
  }

  /** The sandbox bank's 3-D Secure challenge of a card payment, as a path on this sandbox. */
  challengePath(payment: Payment): string {
    return `/acs/challenge?tokenid=${payment.checkoutToken}`;
  }

  paymentPageResultPath(payment: Payment): string {
    return `/payment/result?tokenid=${payment.checkoutToken}`;
  }

  redirectDataFor(payment: Payment): RedirectData {
    return { method: 'GET', url: `${this.publicUrl}${this.checkoutPath(payment)}`, body: {} };
  }

  /** Where the customer goes after the wallet checkout: the Payment Page's result view, or the Gate `return_url`. */
  returnUrlFor(payment: Payment): string | undefined {
    if (payment.interface === 'payment_page') return this.paymentPageResultPath(payment);
    const urls = payment.returnUrl;
    const result = resultOf(payment.status);
    if (result === 'paid') return urls.success ?? urls.return;
    // Every other final status (decline, external error, internal error, a released hold) is a failure to the shop.
    if (result === 'failed') return urls.decline ?? urls.return;
    return urls.return;
  }
}
