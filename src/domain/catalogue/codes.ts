// ECommPay's unified code catalogue (data/codes.json), so every message comes from one table.
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../project-root.js';

const catalogue = (JSON.parse(readFileSync(fromRoot('data', 'codes.json'), 'utf8')) as {
  codes: Record<string, { class: string; message: string }>;
}).codes;

export function codeMessage(code: string): string {
  const entry = catalogue[code];
  if (entry === undefined) throw new Error(`code ${code} is not in data/codes.json`);
  return entry.message;
}

export function isKnownCode(code: string): boolean {
  return catalogue[code] !== undefined;
}

/** The code table's class of a code (`platform`, `APM/provider decline`, …), or undefined for an unknown code. */
export function codeClass(code: string): string | undefined {
  return catalogue[code]?.class;
}

export const SUCCESS_CODE = '0';
export const AWAITING_CODE = '29999';
export const GENERAL_DECLINE_CODE = '20000';
/** `external error`: the provider failed — the table's APM/provider class, "Declined by external provider". */
export const EXTERNAL_ERROR_CODE = '20100';
/** `internal error`: the platform failed — the table's platform class, "Internal error". */
export const INTERNAL_ERROR_CODE = '501';
/** Which class of the code table an error status's code must come from. */
export const ERROR_CODE_CLASS: Readonly<Record<'external error' | 'internal error', string>> = {
  'external error': 'APM/provider decline',
  'internal error': 'platform',
};
