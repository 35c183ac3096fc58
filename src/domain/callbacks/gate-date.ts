// ECommPay's date format in callbacks and status answers: `2021-06-15T08:05:11+0000` (UTC).
export function formatGateDate(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}+0000`;
}
