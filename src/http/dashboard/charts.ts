// Server-rendered SVG chart geometry for the analytics page (no chart library, no script).

export interface Bar { x: number; y: number; width: number; height: number; colour: string; label: string }
export interface Chart { width: number; height: number; bars: Bar[]; labels: Array<{ x: number; y: number; text: string }>; max: number }

export const STATUS_COLOURS: Record<string, string> = {
  success: '#00754a', decline: '#a4000f', 'external error': '#6b2fa3', 'internal error': '#4d4d4d', processing: '#8a5a00',
  'awaiting redirect result': '#1a5fb4', 'awaiting customer': '#0b6e80',
};

/** Stacked bars of a value per day and status. */
export function stackedByDay(rows: Array<{ day: string; status: string; value: number }>): Chart {
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const totals = days.map((d) => rows.filter((r) => r.day === d).reduce((sum, r) => sum + r.value, 0));
  const max = Math.max(1, ...totals);
  const width = Math.max(320, days.length * 48 + 40);
  const height = 220;
  const plot = height - 40;
  const bars: Bar[] = [];
  const labels: Chart['labels'] = [];
  days.forEach((day, index) => {
    let top = plot;
    for (const status of Object.keys(STATUS_COLOURS)) {
      const row = rows.find((r) => r.day === day && r.status === status);
      if (row === undefined || row.value === 0) continue;
      const barHeight = Math.max(1, Math.round((row.value / max) * (plot - 10)));
      top -= barHeight;
      bars.push({ x: 30 + index * 48, y: top, width: 32, height: barHeight, colour: STATUS_COLOURS[status] as string, label: `${day} ${status}: ${row.value}` });
    }
    labels.push({ x: 46 + index * 48, y: height - 20, text: day.slice(5) });
  });
  return { width, height, bars, labels, max };
}

/** Horizontal bars of a success rate (0..1) per method. */
export function ratesByMethod(rows: Array<{ method: string; rate: number }>): Chart {
  const height = Math.max(60, rows.length * 36 + 20);
  const bars = rows.map((row, index) => ({
    x: 110, y: 10 + index * 36, width: Math.round(row.rate * 300), height: 24, colour: '#00754a',
    label: `${row.method}: ${(row.rate * 100).toFixed(1)}% success`,
  }));
  const labels = rows.map((row, index) => ({ x: 4, y: 27 + index * 36, text: row.method }));
  return { width: 480, height, bars, labels, max: 1 };
}
