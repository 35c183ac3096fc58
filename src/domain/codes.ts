// ECommPay's unified code catalogue (data/codes.json), so every message comes from one table.
import { readFileSync } from 'node:fs';
import { fromRoot } from '../project-root.js';

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

export const SUCCESS_CODE = '0';
export const AWAITING_CODE = '29999';
export const GENERAL_DECLINE_CODE = '20000';
