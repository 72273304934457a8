// Whether the process that took the run lock is still that process and still running. `kill(pid, 0)`
// alone is not enough: a runner killed while its parent has not reaped it yet is a zombie that
// still answers signals, and after a restart or a busy day its pid may belong to someone else.
// On Linux /proc tells both apart (proc(5): /proc/<pid>/stat field 3 is the state, `Z` zombie and
// `X` dead; field 22 is the start time in clock ticks since boot; /proc/sys/kernel/random/boot_id
// changes with every boot). Elsewhere only the signal check is available.
import { readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  startTicks: string;
}

function readProcStat(pid: number): ProcStat | undefined | 'no-proc' {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTicks = fields[19];
    if (!state || !startTicks) return undefined;
    return { state, startTicks };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') {
      // No such process, unless this system has no /proc at all.
      try {
        readFileSync('/proc/self/stat');
        return undefined;
      } catch {
        return 'no-proc';
      }
    }
    return 'no-proc';
  }
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * `<boot id>:<start ticks>` of a running process: unique for this machine's uptime and changed by a
 * reboot, so a pid reused by another process never matches. Undefined where /proc is missing.
 */
export function processIdentity(pid: number): string | undefined {
  const stat = readProcStat(pid);
  if (stat === undefined || stat === 'no-proc') return undefined;
  return `${bootId()}:${stat.startTicks}`;
}

function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` on this host is still running and, when `identity` was recorded, is the same process
 * that recorded it. A zombie (killed, not yet reaped) is not running.
 */
export function processRunning(pid: number, identity?: string | null): boolean {
  const stat = readProcStat(pid);
  if (stat === 'no-proc') return signalReaches(pid);
  if (stat === undefined) return false;
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return false;
  if (identity && identity !== `${bootId()}:${stat.startTicks}`) return false;
  return true;
}
