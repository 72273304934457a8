// Runs as an administrator reads them: the history table, per-step counts, failed items with
// their ids and reasons, and the detail page with the run's (scrubbed) log.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { RunDetail, RunListItem, RunLogLine } from '../backend.ts';
import { STEP_IDS } from '../../workflow/contract.ts';
import type {
  FailedItem,
  KindCounts,
  PlannedWrite,
  StepCounts,
  StepId,
} from '../../workflow/contract.ts';
import { formatLocalTime } from '../../runner/local-time.ts';
import { csrfField, layout, STEP_TITLES, timeTag } from './layout.ts';

export const TRIGGER_TITLES: Record<string, string> = {
  schedule: 'Hourly timer',
  console: 'Console',
  manual: 'Command line',
  retry: 'Retry',
};

/** The status in words: an amber run says how many items failed. */
function statusText(run: Pick<RunListItem, 'status'> & { failedCount?: number }): string {
  return run.status === 'succeeded-with-failures'
    ? `succeeded with ${run.failedCount ?? 0} failed item(s)`
    : run.status;
}

export function runStatusBadge(
  run: Pick<RunListItem, 'status' | 'dryRun'> & { failedCount?: number },
): SafeHtml {
  return html`<span class="badge ${run.status}">${statusText(run)}</span>${
      run.dryRun ? html` <span class="badge dry">dry run</span>` : ''
    }`;
}

function runKind(run: RunListItem): string {
  const trigger = TRIGGER_TITLES[run.trigger] ?? run.trigger;
  return run.since ? `${trigger}, backfill` : trigger;
}

/** One short line per step for the history table: "f1-j2: 3 written, 1 failed". */
function compactCounts(steps: Record<StepId, StepCounts> | undefined): SafeHtml {
  if (!steps) return html`<span class="muted">—</span>`;
  const lines = STEP_IDS.map((step) => {
    const counts = steps[step];
    const parts = (['fetched', 'written', 'unchanged', 'failed', 'skipped'] as const)
      .filter((name) => counts[name] > 0)
      .map((name) => `${counts[name]} ${name}`);
    return html`<div>
      <code>${step}</code>
      ${parts.length > 0 ? parts.join(', ') : html`<span class="muted">nothing</span>`}
    </div>`;
  });
  return html`${lines}`;
}

export function runHistoryTable(runs: RunListItem[]): SafeHtml {
  if (runs.length === 0) return html`<p class="muted">No run yet.</p>`;
  return html`<div class="scroll">
    <table class="runs stack">
      <thead>
        <tr>
          <th>Started</th>
          <th>Status</th>
          <th>Started by</th>
          <th>Counts per step</th>
          <th class="num">Failed</th>
        </tr>
      </thead>
      <tbody>
        ${runs.map(
          (run) =>
            html`<tr data-run-id="${run.id}">
              <td data-label="Started">
                <a href="/runs/${encodeURIComponent(run.id)}">${timeTag(run.startedAt)}</a>
              </td>
              <td data-label="Status">${runStatusBadge(run)}</td>
              <td data-label="Started by">${runKind(run)}</td>
              <td data-label="Counts">${compactCounts(run.steps)}</td>
              <td class="num" data-label="Failed">${run.failedCount}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function stepCountsTable(steps: Record<StepId, StepCounts>): SafeHtml {
  const names = ['fetched', 'written', 'unchanged', 'failed', 'skipped'] as const;
  return html`<div class="scroll">
    <table class="step-counts stack counts">
      <thead>
        <tr>
          <th>Step</th>
          ${names.map((name) => html`<th class="num">${name}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${STEP_IDS.map(
          (step) =>
            html`<tr data-step="${step}">
              <td><code>${step}</code> ${STEP_TITLES[step]}</td>
              ${names.map((name) => html`<td class="num" data-label="${name}" data-count="${name}">${steps[step][name]}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** Outcomes per kind of item (`f1-j2:referral`...), when the run recorded them. */
function kindCountsTable(kinds: Record<string, KindCounts>): SafeHtml {
  const names = ['written', 'unchanged', 'failed'] as const;
  return html`<div class="scroll">
    <table class="kind-counts stack counts">
      <thead>
        <tr>
          <th>Kind of item</th>
          ${names.map((name) => html`<th class="num">${name}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${Object.entries(kinds).map(
          ([kind, counts]) =>
            html`<tr>
              <td><code>${kind}</code></td>
              ${names.map((name) => html`<td class="num" data-label="${name}">${counts[name]}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function idsText(ids: Record<string, string>): SafeHtml {
  return html`${Object.entries(ids).map(([name, value]) => html`<div><span class="muted">${name}</span> <code>${value}</code></div>`)}`;
}

export function failedItemsTable(items: FailedItem[], empty: string): SafeHtml {
  if (items.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll">
    <table class="failed-items stack">
      <thead>
        <tr>
          <th>Step</th>
          <th>Item</th>
          <th>Ids</th>
          <th>Reason</th>
          <th class="num">Attempts</th>
        </tr>
      </thead>
      <tbody>
        ${items.map(
          (item) =>
            html`<tr data-key="${item.key}">
              <td data-label="Step"><code>${item.step}</code></td>
              <td data-label="Item">${item.kind}</td>
              <td data-label="Ids">${idsText(item.ids)}</td>
              <td class="reason" data-label="Reason">${item.reason}</td>
              <td class="num" data-label="Attempts">${item.attempts}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function plannedTable(planned: PlannedWrite[]): SafeHtml {
  if (planned.length === 0) return html`<p class="muted">Nothing would have been written.</p>`;
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>
          <th>Step</th>
          <th>Would do</th>
          <th>Ids</th>
        </tr>
      </thead>
      <tbody>
        ${planned.map(
          (write) =>
            html`<tr>
              <td><code>${write.step}</code></td>
              <td>${write.action}</td>
              <td>${idsText(write.ids)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function cursorText(cursors: { primero?: string; oscar?: string } | undefined): SafeHtml {
  if (!cursors) return html`—`;
  return html`Primero <code>${cursors.primero ?? '—'}</code>, OSCaR
    <code>${cursors.oscar ?? '—'}</code>`;
}

/** One log line as one element; its text is built first so formatting cannot split it. */
function logLine(line: RunLogLine): SafeHtml {
  // The time of day in the one display format (the date is the run's own).
  const text = `${formatLocalTime(line.at).slice(11)} ${line.level.padEnd(5)} ${line.message}`;
  return html`<div class="${line.level}">${text}</div>`;
}

/** "Retry this run's failed items": only those still open; none left, no button. */
function retryRunForm(run: RunDetail, csrfToken: string): SafeHtml {
  if (run.failed.length === 0) return html``;
  const open = run.openFailedKeys.length;
  if (open === 0)
    return html`<p class="muted" id="retry-run-none">
      None of these items is open any more: each succeeded since, or was retried.
    </p>`;
  return html`<form
    method="post"
    action="/runs/${encodeURIComponent(run.id)}/retry"
    class="retry-run"
  >
    ${csrfField(csrfToken)}
    <button type="submit" id="retry-run">Retry this run's ${open} failed item(s)</button>
    <span class="muted"
      >They go back into the retry list with attempts reset, and a run starts at once.</span
    >
  </form>`;
}

export function runDetailPage(
  run: RunDetail,
  page: { nonce: string; csrfToken: string; error?: string },
): SafeHtml {
  const summary = run.summary;
  const body = html`<h1>Run ${runStatusBadge(run)}</h1>
    ${page.error ? html`<div class="notice bad" role="alert">${page.error}</div>` : ''}
    ${run.error ? html`<div class="notice bad" role="alert">${run.error}</div>` : ''}
    <section class="card">
      <dl class="facts">
        <dt>Run id</dt>
        <dd><code>${run.id}</code></dd>
        <dt>Started by</dt>
        <dd>${runKind(run)}</dd>
        <dt>Started</dt>
        <dd>${timeTag(run.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>${timeTag(run.finishedAt)}</dd>
        ${
          run.since
            ? html`<dt>Backfill from</dt>
                <dd>${timeTag(run.since)}</dd>`
            : ''
        }
        <dt>Window read from</dt>
        <dd>${cursorText(summary?.from)}</dd>
        <dt>Next window from</dt>
        <dd>${cursorText(summary?.to)}</dd>
      </dl>
    </section>
    <section class="card">
      <h2>Counts per step</h2>
      ${summary ? stepCountsTable(summary.steps) : html`<p class="muted">No summary: the run did not finish.</p>`}
      ${summary?.kinds && Object.keys(summary.kinds).length > 0 ? kindCountsTable(summary.kinds) : ''}
    </section>
    <section class="card">
      <h2>Failed items (${run.failed.length})</h2>
      ${retryRunForm(run, page.csrfToken)}
      ${failedItemsTable(run.failed, 'No item failed in this run.')}
      ${
        summary && summary.deadLettered.length > 0
          ? html`<p class="notice warn">
              ${summary.deadLettered.length} item(s) reached the attempt limit in this run and are
              now
              <a href="/dead-letters">dead letters</a>.
            </p>`
          : ''
      }
    </section>
    ${
      run.dryRun && summary
        ? html`<section class="card">
            <h2>What this dry run would have written (${summary.planned.length})</h2>
            ${plannedTable(summary.planned)}
          </section>`
        : ''
    }
    <section class="card">
      <h2>Log</h2>
      ${
        run.log.length === 0
          ? html`<p class="muted">No log line.</p>`
          : html`<div class="log">${run.log.map(logLine)}</div>`
      }
    </section>`;
  return layout({ title: 'Run', nonce: page.nonce, csrfToken: page.csrfToken, body });
}
