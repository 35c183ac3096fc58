// The card family (cards on the Payment Page and host-to-host, Apple Pay, Google Pay), as data for the state
// machine (docs/card-protocol.md §5.2): a payment is decided by its card, may wait for 3-D Secure, ends as a sale
// or as a hold that awaits capture or cancel; what was debited may then be refunded, in parts.
import type { FamilyMachine } from '../state-machine.js';

const DECIDING = ['processing', 'awaiting 3ds result', 'awaiting clarification'] as const;

export const CARD_FAMILY: FamilyMachine = {
  family: 'card',
  statuses: {
    processing: { final: false },
    'awaiting 3ds result': { final: false },
    'awaiting clarification': { final: false },
    // A hold: not final for the shop, which captures or cancels it, but no longer waiting for the customer.
    'awaiting capture': { final: false, timed: false },
    success: { final: true },
    decline: { final: true },
    'external error': { final: true },
    'internal error': { final: true },
    canceled: { final: true },
    'partially refunded': { final: true },
    refunded: { final: true },
  },
  starts: {
    sale: { status: 'processing', callback: 'none' },
  },
  transitions: {
    // The card's own result, a limit, a scenario, the limit time.
    decide: { from: DECIDING, to: 'outcome', operation: 'end', callback: 'final' },
    force: { from: DECIDING, to: 'outcome', operation: 'end', callback: 'final' },
    'ask-clarification': { from: ['processing'], to: 'awaiting clarification', operation: 'keep', callback: 'prescriptive' },
    // The answer goes on at once to 3-D Secure or the result: no processing callback (D20).
    clarify: { from: ['awaiting clarification'], to: 'processing', operation: 'keep', callback: 'none' },
    'ask-3ds': { from: ['processing', 'awaiting 3ds result'], to: 'awaiting 3ds result', operation: 'keep', callback: 'prescriptive' },
    authenticate: { from: ['awaiting 3ds result'], to: 'outcome', operation: 'end', callback: 'final' },
    capture: { from: ['awaiting capture'], to: 'given', operation: { opens: 'capture' }, callback: 'final' },
    cancel: { from: ['awaiting capture'], to: 'given', operation: { opens: 'cancel' }, callback: 'final' },
    refund: { from: ['success', 'partially refunded'], to: 'given', operation: { opens: 'refund' }, callback: 'final' },
  },
  outcomeStatus: { auth: { success: 'awaiting capture' } },
  mailsResult: false,
  awaitingCode: '9999',
};
