// Identifiers the platform assigns (request ids, operation ids, provider references, checkout tokens). With
// SANDBOX_SEED they derive from the seed and the payment, so two runs of the same requests match byte for byte.
import { createHash } from 'node:crypto';
import { nanoid } from 'nanoid';

export interface PaymentIds { checkoutToken: string; providerPaymentId: string; requestHex: string }

const PROVIDER_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class IdSource {
  readonly seed: string;
  private readonly base: number;

  constructor(seed: string | undefined) {
    this.seed = seed ?? nanoid();
    this.base = 1_000_000_000_000_000 + (this.digest('op').readUIntBE(0, 6) % 7_000_000_000_000) * 1000;
  }

  // A plain hash of the seed and the parts (NUL can be in neither): a third of an HMAC's cost on every payment, and
  // these ids only need to be unique and repeatable, not unforgeable.
  private digest(...parts: Array<string | number>): Buffer {
    return createHash('sha512').update(`${this.seed}\u0000${parts.join('\u0000')}`).digest();
  }

  /**
   * Where operation ids start: a 16-digit number like `5028800010128225` taken from the seed. Ids then count
   * up from it, so new rows land at the end of the table's index instead of at random pages.
   */
  operationIdBase(): number {
    return this.base;
  }

  /** Every id of one payment from a single digest: checkout token, the wallet's reference, request id stem. */
  forPayment(projectId: number, paymentId: string): PaymentIds {
    const bytes = this.digest('payment', projectId, paymentId);
    return {
      checkoutToken: bytes.subarray(0, 8).toString('hex'),
      // Shaped like the method card's `RF6XIZSW` / `RS2PHYOBG5` (docs/protocol-notes.md "PayMaya method").
      providerPaymentId: [...bytes.subarray(8, 18)].map((byte) => PROVIDER_ALPHABET[byte % PROVIDER_ALPHABET.length]).join(''),
      requestHex: bytes.subarray(18, 38).toString('hex'),
    };
  }

  /** `<hex>-<8-digit counter>`, as in the method card's callbacks (`c26a7e…c4-00000001`, docs/protocol-notes.md "PayMaya method"). */
  static requestId(requestHex: string, index: number): string {
    return `${requestHex}-${String(index + 1).padStart(8, '0')}`;
  }
}
