/** The start lock of a cluster home: one start at a time, and never held by a start that was killed. */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether a process of this machine still runs with that pid. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a lock left by another start is stale: its owner is gone, or it is older than staleMs. */
function staleLock(lock: string, staleMs: number): boolean {
  try {
    const owner = Number(readFileSync(join(lock, 'owner'), 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && !alive(owner)) return true;
  } catch {
    // Not written yet (the owner is between mkdir and write), or released meanwhile.
  }
  return Date.now() - statSync(lock).mtimeMs > staleMs;
}

/**
 * A lock directory, so that concurrent test processes starting the same cluster do not race. It
 * names its owner's pid, so that the lock of a start that was killed is taken over at once; a lock
 * older than staleMs is taken to be stale too.
 */
export async function withLock<T>(home: string, staleMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = join(home, 'start.lock');
  mkdirSync(home, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (staleLock(lock, staleMs)) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await sleep(200);
    }
  }
  try {
    writeFileSync(join(lock, 'owner'), String(process.pid));
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
