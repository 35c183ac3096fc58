// Analytics charts as data for server-rendered SVG (the pages stay script-free): d3-scale for the axes' scales
// and ticks, d3-shape's stack for the per-day stacking by status. The view draws what this returns.
import { scaleBand, scaleLinear } from 'd3-scale';
import { stack, stackOrderNone, stackOffsetNone } from 'd3-shape';

export const STATUS_COLOURS: Record<string, string> = {
  success: '#00754a', decline: '#b3261e', 'external error': '#6b2fa3', 'internal error': '#4d4d4d', processing: '#8a5a00',
  'awaiting redirect result': '#1a5fb4', 'awaiting customer': '#0b6e80',
  // The card family's: 3-D Secure and clarification waits, a hold, a released hold, refunds.
  'awaiting 3ds result': '#4657b8', 'awaiting clarification': '#8f6bc9', 'awaiting capture': '#c27c0e', canceled: '#8c8c8c',
  'partially refunded': '#a04e88', refunded: '#6d8f2f',
};

export interface Bar { x: number; y: number; width: number; height: number; colour: string; label: string }
export interface Tick { at: number; label: string }
/** A word written in the plot, such as "—" beside a method without finished payments. */
export interface Mark { x: number; y: number; text: string; title: string }
export interface Chart {
  width: number;
  height: number;
  /** The plot area: axes run along its left and bottom edges. */
  plot: { left: number; right: number; top: number; bottom: number };
  bars: Bar[];
  marks: Mark[];
  /** Ticks of the horizontal axis (x positions) and of the vertical one (y positions). */
  xTicks: Tick[];
  yTicks: Tick[];
  xTitle: string;
  yTitle: string;
  /** Horizontal bars: the value axis runs along the bottom, the categories down the left. */
  horizontal: boolean;
  empty: boolean;
}

const WIDTH = 480;
const MARGIN = { top: 12, right: 12, bottom: 44, left: 64 };
/** A bar is never wider than this, so a range of one or two days still reads as bars, not as a block. */
const MAX_BAR = 56;
/** Room for a tick label of `text` at the chart's 13 px font, beside the axis title. */
const labelRoom = (texts: string[]): number => 30 + 8 * Math.max(1, ...texts.map((text) => text.length));

/** Whole numbers as axis labels: 500, 1,500 — never 5e+2 or 0.5 of a payment. */
const wholeNumber = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 0 });

/**
 * Bars of a value per day, each day's bar stacked by status (success at the bottom). `counts`: the values are
 * counts, so the axis has whole-number ticks only.
 */
export function stackedByDay(rows: Array<{ day: string; status: string; value: number }>, titles: { x: string; y: string; format?: (value: number) => string; counts?: boolean }): Chart {
  const height = 260;
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const statuses = Object.keys(STATUS_COLOURS);
  const table = days.map((day) => Object.fromEntries([['day', day], ...statuses.map((s) => [s, rows.find((r) => r.day === day && r.status === s)?.value ?? 0])]) as Record<string, number> & { day: string });
  const series = stack<Record<string, number> & { day: string }>().keys(statuses).order(stackOrderNone).offset(stackOffsetNone)(table);
  const top = Math.max(0, ...series.flatMap((s) => s.map((point) => point[1])));
  const y = scaleLinear().domain([0, Math.max(1, top)]).nice();
  // `~f`: fixed notation with the step's precision; the bare `,` writes 10 as `1e+1`.
  const format = titles.format ?? (titles.counts === true ? wholeNumber : y.tickFormat(5, ',~f'));
  const ticks = y.ticks(5).filter((value) => titles.counts !== true || Number.isInteger(value));
  const plot = { left: labelRoom(ticks.map(format)), right: WIDTH - MARGIN.right, top: MARGIN.top, bottom: height - MARGIN.bottom };
  y.range([plot.bottom, plot.top]);
  const x = scaleBand<string>().domain(days).range([plot.left, plot.right]).paddingInner(0.25).paddingOuter(0.15);
  const barWidth = Math.min(MAX_BAR, x.bandwidth());
  const barX = (day: string) => (x(day) ?? 0) + (x.bandwidth() - barWidth) / 2;
  const bars: Bar[] = series.flatMap((layer) => layer.filter((point) => point[1] > point[0]).map((point) => ({
    x: round(barX(point.data.day)),
    y: round(y(point[1])),
    width: round(barWidth),
    height: round(y(point[0]) - y(point[1])),
    colour: STATUS_COLOURS[layer.key] as string,
    label: `${point.data.day} ${layer.key}: ${format(point[1] - point[0])}`,
  })));
  // Every day gets a bar; with many days only some get a label, so the labels never overlap.
  const every = Math.max(1, Math.ceil(44 / Math.max(1, x.step())));
  const xTicks = days.filter((_, index) => index % every === 0).map((day) => ({ at: round((x(day) ?? 0) + x.bandwidth() / 2), label: day.slice(5) }));
  const yTicks = ticks.map((value) => ({ at: round(y(value)), label: format(value) }));
  return { width: WIDTH, height, plot, bars, marks: [], xTicks, yTicks, xTitle: titles.x, yTitle: titles.y, horizontal: false, empty: days.length === 0 };
}

/** Horizontal bars of the success rate (0..1) of each method, on a 0–100% axis; a method with no finished payment has no rate: "—". */
export function ratesByMethod(rows: Array<{ method: string; rate: number | undefined }>): Chart {
  const height = Math.max(120, rows.length * 36 + MARGIN.top + MARGIN.bottom);
  const plot = { left: labelRoom(rows.map((r) => r.method)) - 14, right: WIDTH - MARGIN.right - 12, top: MARGIN.top, bottom: height - MARGIN.bottom };
  const x = scaleLinear().domain([0, 1]).range([plot.left, plot.right]);
  const y = scaleBand<string>().domain(rows.map((r) => r.method)).range([plot.top, plot.bottom]).paddingInner(0.3).paddingOuter(0.2);
  const percent = x.tickFormat(5, '.0%');
  const bars = rows.flatMap((row) => row.rate === undefined ? [] : [{
    x: plot.left,
    y: round(y(row.method) ?? 0),
    width: round(x(row.rate) - plot.left),
    height: round(y.bandwidth()),
    colour: STATUS_COLOURS.success as string,
    label: `${row.method}: ${(row.rate * 100).toFixed(1)}% success`,
  }]);
  const marks = rows.filter((row) => row.rate === undefined).map((row) => ({
    x: plot.left + 6, y: round((y(row.method) ?? 0) + y.bandwidth() / 2 + 4), text: '—', title: `${row.method}: no finished payments yet`,
  }));
  return {
    width: WIDTH, height, plot, bars, marks,
    xTicks: x.ticks(5).map((value) => ({ at: round(x(value)), label: percent(value) })),
    yTicks: rows.map((row) => ({ at: round((y(row.method) ?? 0) + y.bandwidth() / 2), label: row.method })),
    xTitle: 'Share of ended payments that succeeded', yTitle: 'Method', horizontal: true, empty: rows.length === 0,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
