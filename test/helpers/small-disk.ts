// A small filesystem of its own for the sandbox's database: a tmpfs the test mounts (as root, which CI is), so a
// full disk is the kernel's own ENOSPC, not an imitation. A filler file takes the room a test wants gone, and
// gives it back when removed.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runningInCi } from './ci.js';

export interface SmallDisk {
  dir: string;
  /** Bytes still free on the filesystem. */
  free(): number;
  /** Takes all the room but `leaveBytes` with a filler file. */
  fill(leaveBytes?: number): void;
  /** Removes the filler: the room it took is free again. */
  release(): void;
}

interface Tap { teardown(fn: () => unknown): void }

/** Whether this process may mount a tmpfs: only root can (CI runs as root). */
function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-mount-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return mounted;
}

/** Skipped with a reason where no tmpfs can be mounted; under CI=true the tests run and fail instead. */
export const smallDiskSkipReason: string | false = !runningInCi && !canMount()
  ? 'mounting a small tmpfs needs root (CI runs as root); full-disk tests skipped'
  : false;

export function mountSmallDisk(t: Tap, mebibytes: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-disk-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mebibytes}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot mount a ${mebibytes} MiB tmpfs on ${dir}: ${result.stderr}`);
  const filler = join(dir, 'filler');
  mkdirSync(join(dir, 'db'));
  let unmounted = false;
  const unmount = () => {
    if (unmounted) return;
    unmounted = true;
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(unmount);
  process.once('exit', unmount);
  const free = () => {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  };
  return {
    dir: join(dir, 'db'),
    free,
    fill(leaveBytes = 0) {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (let left = free() - leaveBytes; left > 0; left = free() - leaveBytes) {
          try {
            writeSync(fd, chunk, 0, Math.min(chunk.length, left));
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw error;
          }
        }
        // The last bytes a full chunk did not fit in.
        if (leaveBytes === 0) {
          for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
            try {
              while (free() > 0) writeSync(fd, chunk, 0, size);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    release() {
      unlinkSync(filler);
    },
  };
}
