// Identifiers the platform assigns (request ids, operation ids, provider references, checkout tokens). With
// SANDBOX_SEED they derive from the seed and the payment, so two runs of the same requests match byte for byte.
import { createHmac } from 'node:crypto';
import { nanoid } from 'nanoid';

export class IdSource {
  readonly seed: string;

  constructor(seed: string | undefined) {
    this.seed = seed ?? nanoid();
  }

  private digest(...parts: Array<string | number>): Buffer {
    return createHmac('sha256', this.seed).update(parts.join('\u0000')).digest();
  }

  private hex40(...parts: Array<string | number>): string {
    return this.digest(...parts).toString('hex').slice(0, 40);
  }

  /** A 16-digit operation id like `5028800010128225`, safe as a JSON number. */
  operationId(projectId: number, paymentId: string, index: number): number {
    return 1_000_000_000_000_000 + (this.digest('op', projectId, paymentId, index).readUIntBE(0, 6) % 8_000_000_000_000_000);
  }

  /** `<hex>-<8-digit counter>`, as in the method card's callbacks (`c26a7e…c4-00000001`). */
  requestId(projectId: number, paymentId: string, index: number): string {
    return `${this.hex40('rq', projectId, paymentId)}-${String(index + 1).padStart(8, '0')}`;
  }

  /** The wallet's reference, shaped like the card's `RF6XIZSW` / `RS2PHYOBG5`. */
  providerPaymentId(projectId: number, paymentId: string): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    return [...this.digest('pp', projectId, paymentId).subarray(0, 10)].map((byte) => alphabet[byte % alphabet.length]).join('');
  }

  authCode(projectId: number, paymentId: string, index: number): string {
    return String(this.digest('ac', projectId, paymentId, index).readUInt32BE(0) % 1_000_000).padStart(6, '0');
  }

  checkoutToken(projectId: number, paymentId: string): string {
    return this.digest('tk', projectId, paymentId).toString('hex').slice(0, 16);
  }
}
