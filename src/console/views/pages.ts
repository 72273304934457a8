// The smaller pages: sign-in, dead letters, the backfill confirmation, a run in progress, errors.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { DeadLetterView } from '../backend.ts';
import type { LiveRun, StepProgress } from '../live-runs.ts';
import { STEP_IDS } from '../../workflow/contract.ts';
import type { StepId } from '../../workflow/contract.ts';
import { csrfField, formatTime, layout, STEP_TITLES, timeTag } from './layout.ts';
import { runStatusBadge, stepCountsTable } from './runs.ts';

export function signInPage(page: { nonce: string; error?: string; usesToken: boolean }): SafeHtml {
  const hint = page.usesToken
    ? 'No INTEROP_ADMIN_PASSWORD is set: use the sign-in token printed in the terminal where the console was started.'
    : 'Use the admin password (INTEROP_ADMIN_PASSWORD in the configuration).';
  const body = html`<section class="card signin">
    <h1>Sign in</h1>
    ${page.error ? html`<div class="notice bad" role="alert">${page.error}</div>` : ''}
    <form method="post" action="/sign-in">
      <label for="password">Admin password</label>
      <p>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="current-password"
          required
          autofocus
        />
      </p>
      <button type="submit">Sign in</button>
    </form>
    <p class="muted">${hint}</p>
  </section>`;
  return layout({ title: 'Sign in', nonce: page.nonce, body });
}

export function deadLettersPage(
  items: DeadLetterView[],
  page: { nonce: string; csrfToken: string; error?: string },
): SafeHtml {
  const table =
    items.length === 0
      ? html`<p class="muted">
          No dead letter. Items that keep failing land here after the attempt limit.
        </p>`
      : html`<div class="scroll">
          <table class="dead-letters stack">
            <thead>
              <tr>
                <th>Id</th>
                <th>Step</th>
                <th>Ids</th>
                <th>Reason</th>
                <th class="num">Attempts</th>
                <th>Last failed</th>
                <th><span class="visually-hidden">Action</span></th>
              </tr>
            </thead>
            <tbody>
              ${items.map(
                (item) =>
                  html`<tr data-key="${item.key}">
                    <td data-label="Id"><code>${item.id}</code></td>
                    <td data-label="Step"><code>${item.step}</code> ${item.kind}</td>
                    <td data-label="Ids">
                      ${Object.entries(item.ids).map(
                        ([name, value]) =>
                          html`<div><span class="muted">${name}</span> <code>${value}</code></div>`,
                      )}
                    </td>
                    <td class="reason" data-label="Reason">${item.reason}</td>
                    <td class="num" data-label="Attempts">${item.attempts}</td>
                    <td data-label="Last failed">${timeTag(item.lastFailedAt)}</td>
                    <td>
                      <form
                        method="post"
                        action="/dead-letters/${encodeURIComponent(item.id)}/retry"
                      >
                        ${csrfField(page.csrfToken)}
                        <button type="submit" class="secondary">Retry</button>
                      </form>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`;
  const body = html`<h1>Dead letters</h1>
    ${page.error ? html`<div class="notice bad" role="alert">${page.error}</div>` : ''}
    <section class="card">
      <p class="muted">
        These items failed on every attempt. Fix the cause named in the reason (in Primero, in
        OSCaR, or in a mapping table), then press Retry: the item goes back into the retry list and
        a run starts at once.
      </p>
      ${table}
    </section>`;
  return layout({
    title: 'Dead letters',
    nonce: page.nonce,
    csrfToken: page.csrfToken,
    active: 'dead-letters',
    body,
  });
}

export function backfillConfirmPage(
  since: string,
  page: { nonce: string; csrfToken: string },
): SafeHtml {
  const body = html`<h1>Backfill from ${formatTime(since)}?</h1>
    <section class="card">
      <p>
        The run will re-read every case changed in Primero and OSCaR since
        <strong>${formatTime(since)}</strong> and write what differs. Writes are idempotent: records
        already in sync are left unchanged.
      </p>
      <p>
        <strong>It will not move the stored cursor backwards.</strong> After the backfill, the
        hourly runs carry on from where they were (or from later, if the backfill read newer
        changes).
      </p>
      <div class="actions">
        <form method="post" action="/runs">
          ${csrfField(page.csrfToken)}
          <input type="hidden" name="kind" value="backfill" />
          <input type="hidden" name="since" value="${since}" />
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" id="confirm-backfill">Start backfill</button>
        </form>
        <a href="/">Cancel</a>
      </div>
    </section>`;
  return layout({ title: 'Confirm backfill', nonce: page.nonce, csrfToken: page.csrfToken, body });
}

const KIND_TITLES: Record<LiveRun['request']['kind'], string> = {
  now: 'Run now',
  'dry-run': 'Dry run',
  backfill: 'Backfill',
  retry: 'Retry of a dead letter',
  'retry-run': "Retry of a run's failed items",
};

/**
 * Polls the run's JSON every second: each step's row shows its own state and bar, a status line
 * (a polite live region) says when a step starts or ends; at the end the page reloads with the
 * summary. The texts are those of `stepStateText` below.
 */
const LIVE_SCRIPT = `
(function () {
  var box = document.getElementById('live');
  if (!box || box.getAttribute('data-state') !== 'running') return;
  var url = box.getAttribute('data-poll');
  var announce = document.getElementById('live-announce');
  var phases = {};
  function stateText(p) {
    if (!p) return 'Waiting';
    if (p.phase === 'done') return 'Done: ' + p.done + ' item(s)';
    if (p.total > 0) return 'Running: ' + p.done + ' of ' + p.total + ' items';
    return p.done > 0 ? 'Running: ' + p.done + ' items' : 'Running';
  }
  function show(progress) {
    Object.keys(progress).forEach(function (step) {
      var p = progress[step];
      var row = document.getElementById('step-' + step);
      var bar = document.getElementById('progress-' + step);
      var text = document.getElementById('progress-text-' + step);
      if (row) row.setAttribute('data-phase', p.phase);
      if (bar) {
        if (p.phase === 'done') { bar.max = 1; bar.value = 1; }
        else if (p.total > 0) { bar.max = p.total; bar.value = p.done; }
        else bar.removeAttribute('value');
      }
      if (text) text.textContent = stateText(p);
      if (phases[step] !== p.phase && announce) {
        var name = row ? row.getAttribute('data-title') : step;
        announce.textContent = name + ': ' + (p.phase === 'done' ? stateText(p) : 'started');
      }
      phases[step] = p.phase;
    });
  }
  function tick() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (live) {
        show(live.progress || {});
        if (live.state !== 'running') {
          if (announce) announce.textContent = 'The run has ended; loading its summary.';
          location.reload();
          return;
        }
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
`;

/** A step's state in words; the inline script writes the same texts as the run goes on. */
export function stepStateText(p: StepProgress | undefined): string {
  if (!p) return 'Waiting';
  if (p.phase === 'done') return `Done: ${p.done} item(s)`;
  if (p.total > 0) return `Running: ${p.done} of ${p.total} items`;
  return p.done > 0 ? `Running: ${p.done} items` : 'Running';
}

/** A labelled bar: full when done, items done of total while running, indeterminate before. */
function stepBar(step: StepId, p: StepProgress | undefined): SafeHtml {
  const label = `${step} ${STEP_TITLES[step]}`;
  if (p?.phase === 'done' || (p && p.total > 0)) {
    const [max, value] = p.phase === 'done' ? [1, 1] : [p.total, p.done];
    return html`<progress
      id="progress-${step}"
      aria-label="${label}"
      max="${max}"
      value="${value}"
    ></progress>`;
  }
  if (p) return html`<progress id="progress-${step}" aria-label="${label}"></progress>`;
  return html`<progress id="progress-${step}" aria-label="${label}" max="1" value="0"></progress>`;
}

/** The live steps: one row each, its own state (waiting / running n of m / done), stacked on a phone. */
export function liveStepsTable(live: Pick<LiveRun, 'progress'>): SafeHtml {
  return html`<table class="live-steps stack">
    <thead>
      <tr>
        <th scope="col">Step</th>
        <th scope="col">State</th>
        <th scope="col">Progress</th>
      </tr>
    </thead>
    <tbody>
      ${STEP_IDS.map((step) => {
        const p = live.progress[step];
        return html`<tr
          id="step-${step}"
          data-step="${step}"
          data-phase="${p?.phase ?? 'waiting'}"
          data-title="${step} ${STEP_TITLES[step]}"
        >
          <th scope="row" data-label="Step"><code>${step}</code> ${STEP_TITLES[step]}</th>
          <td data-label="State" id="progress-text-${step}">${stepStateText(p)}</td>
          <td data-label="Progress">${stepBar(step, p)}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** What the live region says when the page is (re)loaded; the script updates it as steps go. */
function liveStatusText(live: LiveRun, status: string): string {
  if (live.state === 'refused') return 'The run was refused.';
  if (status !== 'running') return `The run has ended: ${status}.`;
  const current = STEP_IDS.find((step) => live.progress[step]?.phase === 'running');
  return current ? `${current} ${STEP_TITLES[current]}: running` : 'The run is starting.';
}

/** A retry's report: what became of each retried item (ids and reasons only). */
function retriedCard(retried: LiveRun['retried']): SafeHtml {
  if (!retried || retried.length === 0) return html``;
  return html`<section class="card" id="retried">
    <h2>What became of the retried items (${retried.length})</h2>
    <ul>
      ${retried.map(
        (item) =>
          html`<li data-key="${item.key}">
            <code>${item.id}</code>
            <strong>${item.outcome}</strong>${item.reason ? `: ${item.reason}` : ''}
          </li>`,
      )}
    </ul>
  </section>`;
}

export function liveRunPage(live: LiveRun, page: { nonce: string; csrfToken: string }): SafeHtml {
  const title = KIND_TITLES[live.request.kind];
  const summary = live.summary;
  const status = summary
    ? summary.ok
      ? summary.failed.length > 0
        ? 'succeeded-with-failures'
        : 'succeeded'
      : 'failed'
    : live.state === 'refused'
      ? 'refused'
      : 'running';
  const progress = html`<section class="card">
    <h2>Progress</h2>
    ${liveStepsTable(live)}
  </section>`;
  const body = html`<h1>
      ${title}
      <span id="live-status"
        >${runStatusBadge({
          status: status as 'running',
          dryRun: live.request.kind === 'dry-run',
          failedCount: summary?.failed.length ?? 0,
        })}</span
      >
    </h1>
    <div id="live" data-state="${live.state}" data-poll="/live/${live.id}/status.json">
      ${live.request.kind === 'backfill' ? html`<p>Backfill from ${timeTag(live.request.since)}.</p>` : ''}
      ${live.state === 'running' ? html`<p class="muted">Started ${timeTag(live.startedAt)}. This page updates by itself.</p>` : ''}
      <p id="live-announce" role="status" aria-live="polite">${liveStatusText(live, status)}</p>
      ${live.error ? html`<div class="notice bad" role="alert">${live.error}</div>` : ''}
      ${retriedCard(live.retried)}
      ${
        summary
          ? html`<section class="card" id="summary">
              <h2>Summary</h2>
              <p>
                ${summary.ok ? 'The run finished.' : 'The run failed; the stored cursors did not move, so the next run covers the same window again.'}
                ${summary.failed.length} item(s)
                failed${
                  summary.deadLettered.length > 0
                    ? `, ${summary.deadLettered.length} became dead letters`
                    : ''
                }${summary.dryRun ? `; ${summary.planned.length} write(s) planned, nothing written` : ''}.
              </p>
              ${stepCountsTable(summary.steps)}
            </section>`
          : live.state === 'running'
            ? progress
            : ''
      }
      ${
        live.runId
          ? html`<p>
              <a href="/runs/${encodeURIComponent(live.runId)}" id="open-run"
                >Open the run's details</a
              >
            </p>`
          : ''
      }
      <p><a href="/">Back to the overview</a></p>
    </div>`;
  return layout({
    title,
    nonce: page.nonce,
    csrfToken: page.csrfToken,
    body,
    ...(live.state === 'running' ? { script: LIVE_SCRIPT } : {}),
  });
}

export function messagePage(
  title: string,
  message: string,
  page: { nonce: string; csrfToken?: string },
): SafeHtml {
  const body = html`<h1>${title}</h1>
    <section class="card">
      <p>${message}</p>
      <p><a href="/">Back to the overview</a></p>
    </section>`;
  return layout({
    title,
    nonce: page.nonce,
    body,
    ...(page.csrfToken ? { csrfToken: page.csrfToken } : {}),
  });
}
