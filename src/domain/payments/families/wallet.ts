// The wallet family (PayMaya and its sibling PH wallets), as data for the state machine: a sale waits for the
// customer at the wallet's checkout (docs/protocol-notes.md §3.3), a payout goes from processing to its result,
// and a Payment Page sale whose attempt the wallet declined awaits the customer's next attempt.
import type { FamilyMachine } from '../state-machine.js';

const IN_PROGRESS = ['awaiting redirect result', 'processing', 'awaiting customer'] as const;

export const WALLET_FAMILY: FamilyMachine = {
  family: 'wallet',
  statuses: {
    'awaiting redirect result': { final: false },
    processing: { final: false },
    'awaiting customer': { final: false, betweenAttempts: true },
    success: { final: true },
    decline: { final: true },
    'external error': { final: true },
    'internal error': { final: true },
  },
  starts: {
    sale: { status: 'awaiting redirect result', callback: 'prescriptive' },
    payout: { status: 'processing', callback: 'none' },
  },
  transitions: {
    customer: { from: ['awaiting redirect result'], to: 'outcome', operation: 'end', callback: 'final' },
    'try-again': { from: ['awaiting customer'], to: 'awaiting redirect result', operation: 'open', callback: 'prescriptive' },
    decide: { from: IN_PROGRESS, to: 'outcome', operation: 'end', callback: 'final' },
    force: { from: IN_PROGRESS, to: 'outcome', operation: 'end', callback: 'final' },
  },
  mailsResult: true,
  awaitingCode: '29999',
};
