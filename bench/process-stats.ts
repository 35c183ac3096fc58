// Peak and current resident memory of a process, from /proc (Linux).
import { readdirSync, readFileSync } from 'node:fs';

export function memoryOf(pid: number): { peakRssMb: number; rssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { peakRssMb: Math.round(kb('VmHWM') / 1024), rssMb: Math.round(kb('VmRSS') / 1024) };
  } catch {
    return { peakRssMb: 0, rssMb: 0 };
  }
}

/** The process and its descendants (worker processes of `--workers`). */
function treeOf(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter((c) => c !== '').map(Number));
  } catch {
    children = [];
  }
  return [pid, ...children.flatMap(treeOf)];
}

/** CPU time (user + system) a process and its descendants have used so far, in milliseconds, from /proc (Linux). */
export function cpuMsOf(pid: number): number {
  return treeOf(pid).reduce((sum, one) => {
    try {
      const fields = readFileSync(`/proc/${one}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
      return sum + (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return sum;
    }
  }, 0);
}

/** Peak resident memory summed over a process and its descendants. */
export function treePeakRssMb(pid: number): number {
  return treeOf(pid).reduce((sum, one) => sum + memoryOf(one).peakRssMb, 0);
}
