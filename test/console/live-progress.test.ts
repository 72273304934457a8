// The live run page: each step's row shows its own state (waiting / running n of m / done), with a
// labelled bar and a polite live region, never the workflow's step counter on every row.
import { afterEach, describe, expect, it } from 'vitest';
import { signIn, post, startTestConsole, stubWorkflow, waitFor } from './console-harness.ts';
import type { TestConsole } from './console-harness.ts';

let running: TestConsole | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The row of one step on the live page: its phase and its state text. */
function row(page: string, step: string): { phase: string; text: string; bar: string } {
  const match = new RegExp(
    `<tr[^>]*data-step="${step}"[^>]*data-phase="([a-z]+)"[\\s\\S]*?id="progress-text-${step}">([^<]*)</td>[\\s\\S]*?(<progress[^>]*>)`,
  ).exec(page);
  if (!match) throw new Error(`no row for ${step}`);
  return { phase: match[1]!, text: match[2]!.trim(), bar: match[3]! };
}

describe('live progress per step', () => {
  it('shows done, running with items done of total, and waiting, each on its own row', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    running = await startTestConsole({
      runWorkflow: stubWorkflow({
        steps: { 'f1-j1': { fetched: 2 } },
        pauseIn: { step: 'f1-j2', gate },
      }),
    });
    const { url } = running;
    const client = await signIn(url);
    const livePath = (await post(url, '/runs', client, { kind: 'now' })).headers.get('location')!;
    const get = async (path: string) =>
      (await fetch(`${url}${path}`, { headers: { cookie: client.cookie } })).text();
    // Held inside f1-j2, one of its two items done: nothing can move on until the gate opens.
    const status = await waitFor(async () => {
      const live = JSON.parse(await get(`${livePath}/status.json`)) as {
        progress: Record<string, { phase: string; done: number; total: number }>;
      };
      return live.progress['f1-j2']?.done === 1 ? live : undefined;
    }, 60_000);
    expect(status.progress['f1-j1']).toEqual({ phase: 'done', done: 2, total: 2 });
    expect(status.progress['f2-j1']).toBeUndefined();

    const page = await get(livePath);
    expect(row(page, 'f1-j1')).toMatchObject({ phase: 'done', text: 'Done: 2 item(s)' });
    expect(row(page, 'f1-j2')).toMatchObject({ phase: 'running', text: 'Running: 1 of 2 items' });
    expect(row(page, 'f2-j1')).toMatchObject({ phase: 'waiting', text: 'Waiting' });
    expect(row(page, 'f2-j2')).toMatchObject({ phase: 'waiting', text: 'Waiting' });
    // Each bar is labelled with its step and shows that step's own items.
    expect(row(page, 'f1-j2').bar).toMatch(
      /aria-label="f1-j2 Cases to OSCaR"[^>]*max="2"[^>]*value="1"/,
    );
    expect(row(page, 'f2-j1').bar).toContain('aria-label="f2-j1 Get OSCaR cases"');
    // The status line is a polite live region naming the step under way.
    expect(page).toMatch(
      /<p id="live-announce" role="status" aria-live="polite">f1-j2 Cases to OSCaR: running</,
    );
    expect(page).not.toMatch(/[1-4] \/ 4/);

    release();
    await waitFor(
      async () =>
        /"state":"finished"/.test(await get(`${livePath}/status.json`)) ? true : undefined,
      60_000,
    );
    expect(await get(livePath)).toContain('The run has ended: succeeded.');
  });
});
