// The smaller pages: sign-in, dead letters, the backfill confirmation, a run in progress, errors.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { DeadLetterView } from '../backend.ts';
import type { LiveRun } from '../live-runs.ts';
import { STEP_IDS } from '../../workflow/contract.ts';
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
          <table class="dead-letters">
            <thead>
              <tr>
                <th>Id</th>
                <th>Step</th>
                <th>Ids</th>
                <th>Reason</th>
                <th class="num">Attempts</th>
                <th class="hide-narrow">Last failed</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${items.map(
                (item) =>
                  html`<tr data-key="${item.key}">
                    <td><code>${item.id}</code></td>
                    <td><code>${item.step}</code> ${item.kind}</td>
                    <td>
                      ${Object.entries(item.ids).map(
                        ([name, value]) =>
                          html`<div><span class="muted">${name}</span> <code>${value}</code></div>`,
                      )}
                    </td>
                    <td class="reason">${item.reason}</td>
                    <td class="num">${item.attempts}</td>
                    <td class="hide-narrow">${timeTag(item.lastFailedAt)}</td>
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
};

/** Polls the run's JSON every second and reloads the page (which then shows the summary) at the end. */
const LIVE_SCRIPT = `
(function () {
  var box = document.getElementById('live');
  if (!box || box.getAttribute('data-state') !== 'running') return;
  var url = box.getAttribute('data-poll');
  function show(progress) {
    Object.keys(progress).forEach(function (step) {
      var bar = document.getElementById('progress-' + step);
      var text = document.getElementById('progress-text-' + step);
      var p = progress[step];
      if (bar) { bar.max = p.total || 1; bar.value = p.done; }
      if (text) text.textContent = p.done + ' / ' + p.total;
    });
  }
  function tick() {
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(function (live) {
        show(live.progress || {});
        if (live.state !== 'running') { location.reload(); return; }
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
`;

export function liveRunPage(live: LiveRun, page: { nonce: string; csrfToken: string }): SafeHtml {
  const title = KIND_TITLES[live.request.kind];
  const summary = live.summary;
  const status = summary
    ? summary.ok
      ? 'succeeded'
      : 'failed'
    : live.state === 'refused'
      ? 'refused'
      : 'running';
  const progress = html`<section class="card">
    <h2>Progress</h2>
    <div class="scroll">
      <table>
        <tbody>
          ${STEP_IDS.map((step) => {
            const p = live.progress[step];
            return html`<tr>
              <td><code>${step}</code> <span class="hide-narrow">${STEP_TITLES[step]}</span></td>
              <td>
                <progress
                  id="progress-${step}"
                  max="${p?.total || 1}"
                  value="${p?.done ?? 0}"
                ></progress>
              </td>
              <td class="num" id="progress-text-${step}">${p ? `${p.done} / ${p.total}` : '—'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
  const body = html`<h1>
      ${title}
      <span id="live-status"
        >${runStatusBadge({ status: status as 'running', dryRun: live.request.kind === 'dry-run' })}</span
      >
    </h1>
    <div id="live" data-state="${live.state}" data-poll="/live/${live.id}/status.json">
      ${live.request.kind === 'backfill' ? html`<p>Backfill from ${timeTag(live.request.since)}.</p>` : ''}
      ${live.state === 'running' ? html`<p class="muted">Started ${timeTag(live.startedAt)}. This page updates by itself.</p>` : ''}
      ${live.error ? html`<div class="notice bad" role="alert">${live.error}</div>` : ''}
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
