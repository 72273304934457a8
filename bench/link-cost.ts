// What one byte costs on this machine, measured in the bench run itself: the Primero emulator's
// whole state fetched over loopback and parsed. The emulator lives in this process, so the CPU
// this process spends on it is the serialising, the socket and the parsing together: the least a
// sync pays per byte it reads. CPU time, not wall time, and the cheapest of a few tries, so that a
// busy machine does not make the floor (which uses it) any easier to meet.
import type { RunningEmulator } from '../demo/common/harness.ts';

export interface ByteCost {
  bytes: number;
  /** CPU time of the cheapest try, ms. */
  cpuMs: number;
  bytesPerMs: number;
}

export async function measureByteCost(emulator: RunningEmulator, tries = 5): Promise<ByteCost> {
  let best: ByteCost | undefined;
  for (let attempt = 0; attempt < tries; attempt += 1) {
    const before = process.cpuUsage();
    // The admin surface: no added latency, no request counted.
    const response = await fetch(`${emulator.url}/__emulator/state`);
    const text = await response.text();
    JSON.parse(text);
    const used = process.cpuUsage(before);
    const cpuMs = Math.max(0.001, (used.user + used.system) / 1000);
    const bytes = Buffer.byteLength(text);
    if (!best || bytes / cpuMs > best.bytesPerMs)
      best = { bytes, cpuMs, bytesPerMs: bytes / cpuMs };
  }
  return best!;
}
