// What one byte and one request cost on this machine, measured in the bench run itself.
//
// A byte: the Primero emulator's whole state fetched over loopback and parsed. The emulator lives
// in this process, so the CPU this process spends on it is the serialising, the socket and the
// parsing together: the least a sync pays per byte it reads. CPU time, not wall time, and the
// cheapest of a few tries, so that a busy machine does not make the floor (which uses it) any
// easier to meet.
//
// A request: see measureRoundTrip. Reported beside the floor, not in it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunningEmulator } from '../demo/common/harness.ts';

const execFileAsync = promisify(execFile);

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

export interface RoundTrip {
  /** Requests each lane kept in flight, one after another. */
  lanes: number;
  /** The cheapest try's wall time per request and lane, ms. */
  msPerRequest: number;
}

// The client of measureRoundTrip: node:http with keep-alive, nothing done with an answer but read it.
const ROUND_TRIP_CLIENT = `
const http = require('node:http');
const [url, lanes, perLane] = process.argv.slice(1);
const { hostname, port } = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(lanes) });
const one = () => new Promise((resolve, reject) => {
  const req = http.request({ host: hostname, port, path: '/api/v2/cases', agent }, (res) => {
    res.resume();
    res.on('end', resolve);
  });
  req.on('error', reject);
  req.end();
});
const lane = async () => { for (let n = 0; n < Number(perLane); n += 1) await one(); };
(async () => {
  await Promise.all(Array.from({ length: Number(lanes) }, one));
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(lanes) }, lane));
  process.stdout.write(String((performance.now() - started) / Number(perLane)));
  agent.destroy();
})();
`;

/**
 * What one request costs on this machine at the run's latency, whatever the client does with it:
 * a bare client in a process of its own, as the sync runs in one, keeps `lanes` requests in
 * flight against the Primero emulator (an unsigned read, refused after the latency like any
 * request; not counted in any scenario, whose counts are taken before and after it). The time
 * above the latency is the two processes' sockets and wake-ups and the emulator's timer: no sync
 * pays less. The cheapest of a few tries, so that a busy machine does not make the figure higher.
 * Reported beside the floor, which charges the latency alone (docs/performance.md, "Floor").
 */
export async function measureRoundTrip(
  emulator: RunningEmulator,
  lanes: number,
  options: { tries?: number; perLane?: number } = {},
): Promise<RoundTrip> {
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < (options.tries ?? 3); attempt += 1) {
    const { stdout } = await execFileAsync(process.execPath, [
      '-e',
      ROUND_TRIP_CLIENT,
      emulator.url,
      String(lanes),
      String(options.perLane ?? 60),
    ]);
    const ms = Number(stdout);
    if (Number.isFinite(ms) && ms > 0) best = Math.min(best, ms);
  }
  if (!Number.isFinite(best)) throw new Error('the round-trip client measured nothing');
  return { lanes, msPerRequest: best };
}
