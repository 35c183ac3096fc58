// Every surface of the sandbox with its main addresses and the docs page that documents it: one list for the start
// banner and the home page, so neither forgets one.
import { slug } from 'github-slugger';
import { nanoid } from 'nanoid';
import { sign } from './signature/signer.js';

export interface SurfaceLink { label: string; path: string; method?: 'GET' | 'POST'; openable: boolean }

export interface Surface {
  name: string;
  /** Who calls it and what for, in one line. */
  what: string;
  links: SurfaceLink[];
  /** The docs sections that document it, the main one first (`docsPath` gives their addresses). */
  docs: DocsLink[];
}

/** A heading of docs/<page>.md. */
export interface DocsLink { page: string; heading: string }

const get = (label: string, path: string): SurfaceLink => ({ label, path, method: 'GET', openable: true });
const post = (label: string, path: string): SurfaceLink => ({ label, path, method: 'POST', openable: false });
const shown = (label: string, path: string): SurfaceLink => ({ label, path, openable: false });

export const SURFACES: Surface[] = [
  {
    name: 'Gate API',
    what: 'The merchant server’s JSON API, signed in general.signature',
    links: [post('sale', '/v2/payment/wallet/{method}/sale'), post('payout', '/v2/payment/wallet/paymaya/payout'), post('status', '/v2/payment/status')],
    docs: [{ page: 'gate-api', heading: 'Gate API (merchant server, JSON signed in `general.signature`)' }],
  },
  {
    name: 'Payment Page',
    what: 'The customer’s payment form, opened from a signed link; the widget script embeds it in a shop’s page',
    links: [shown('signed link', '/payment?…&signature=…'), get('widget script', '/shared/merchant.js'), get('widget styles', '/shared/merchant.css')],
    docs: [{ page: 'payment-page', heading: 'Payment Page (customer\'s browser)' }, { page: 'widget', heading: 'Checkout widget (the shop\'s checkout page)' }],
  },
  {
    name: 'Wallet checkout',
    what: 'PayMaya’s page where the customer pays, declines or cancels (the redirect_data.url of a sale)',
    links: [shown('checkout', '/paymaya/checkout?tokenid=…')],
    docs: [{ page: 'wallet-checkout', heading: 'Wallet checkout (customer\'s browser)' }],
  },
  {
    name: 'Dashboard',
    what: 'Payments, forced outcomes, callbacks, manual and mass payouts, exports, analytics',
    links: [get('payments', '/dashboard'), get('manual payments', '/dashboard/manual'), get('analytics', '/dashboard/analytics')],
    docs: [{ page: 'dashboard', heading: 'Old Dashboard (`/dashboard`, server-rendered, works without JavaScript)' }],
  },
  {
    name: 'Data API',
    what: 'Operations for merchant analytics, signed with a Data API token',
    links: [post('operations', '/operations/get')],
    docs: [{ page: 'data-api', heading: 'Data API' }],
  },
  {
    name: 'Control API',
    what: 'The clock, forced outcomes, the callback log and inbox, reset, projects: for tests and QA tools',
    links: [get('health', '/_sandbox/health'), get('clock', '/_sandbox/clock'), get('callbacks', '/_sandbox/callbacks'), get('inbox', '/_sandbox/inbox'), get('scenarios', '/_sandbox/scenarios')],
    docs: [{ page: 'control-api', heading: 'Control API (`/_sandbox`, JSON in and out)' }],
  },
];

/** The id GitHub (and the local /docs pages) give a heading. */
export function docsAnchor(heading: string): string {
  return slug(heading);
}

/** Where a docs section is served: `/docs/<page>#<anchor>`. */
export function docsPath(link: DocsLink): string {
  return `/docs/${link.page}#${docsAnchor(link.heading)}`;
}

/** A signed Payment Page link for a ₱500.00 demo order, as an SDK would build it; each call is a new order. */
export function demoPaymentPageLink(base: string, projectId: number, secret: string, order: DemoOrder = {}): string {
  const params = {
    project_id: String(projectId),
    payment_id: `${order.idPrefix ?? 'demo'}-${nanoid(8)}`,
    payment_amount: String(order.amount ?? 50000),
    payment_currency: 'PHP',
    customer_id: 'demo-customer',
    customer_email: 'juan@example.ph',
    payment_description: order.description ?? 'Sandbox demo order',
    force_payment_method: 'paymaya-wallet',
  };
  return `${base}/payment?${new URLSearchParams(params).toString()}&signature=${encodeURIComponent(sign(params, secret))}`;
}

/** What a demo order differs in: its amount (a magic amount picks a scenario), its description, its id's start. */
export interface DemoOrder { amount?: number; description?: string; idPrefix?: string }

/** The payment ids of the home page's time-out demo start with this: only they may move the clock from there. */
export const TIMEOUT_DEMO_PREFIX = 'demo-timeout';

/**
 * The outcomes a tester wants to see, each a demo order (docs/scenarios.md): a success, a decline with its
 * reason, try-again, an error outcome. The time-out comes apart: it needs the manual clock.
 */
export const DEMO_OUTCOMES = [
  { key: 'success', label: 'A success', amount: 50000, what: 'Continue, then Pay at the wallet with a mobile number such as 09171234567.' },
  { key: 'decline', label: 'A decline with its reason', amount: 10005, what: 'Declined at once: 20105 Insufficient funds on customer account.' },
  { key: 'try-again', label: 'Try again', amount: 10014, what: 'The wallet declines the first Pay (20105); Try again on the same payment, then Pay.' },
  { key: 'error', label: 'An error outcome', amount: 10010, what: 'Ends at once with an external error: 20100 Declined by external provider.' },
] as const;
