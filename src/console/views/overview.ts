// The first page an administrator sees: is the sync healthy, where is it, what ran, what is stuck,
// and the buttons to run it now, try it dry, or re-read a window after an outage.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { Overview, SystemHealth } from '../backend.ts';
import { localDay } from '../../runner/local-time.ts';
import { csrfField, layout, timeTag } from './layout.ts';
import { runHistoryTable } from './runs.ts';
import { chartCard } from './chart.ts';
import { traceForm } from './trace.ts';
import { whereToAct } from '../../runner/where-to-act.ts';

/** Notices the overview can show after a redirect; the query names one, never carries text. */
export const NOTICES = {
  'signed-in': { tone: 'ok', text: 'Signed in.' },
  resumed: { tone: 'ok', text: 'Scheduled runs sign in to that system again from the next tick.' },
} as const;
export type NoticeCode = keyof typeof NOTICES;

/** The one-line verdict (src/runner/verdict.ts), the same line `npx interop status` prints. */
function verdictLine(overview: Overview): SafeHtml | string {
  const verdict = overview.verdict;
  if (!verdict) return '';
  const tone = verdict.level === 'healthy' ? 'ok' : verdict.level === 'attention' ? 'warn' : 'bad';
  return html`<p
    class="notice ${tone} verdict"
    id="verdict"
    data-level="${verdict.level}"
    role="status"
  >
    ${verdict.text}
  </p>`;
}

function healthBadge(health: SystemHealth): SafeHtml {
  if (health.lastProblem) return html`<span class="badge problem">problem</span>`;
  if (health.lastSignInAt) return html`<span class="badge healthy">healthy</span>`;
  return html`<span class="badge unknown">not yet seen</span>`;
}

function systemsCard(systems: SystemHealth[]): SafeHtml {
  return html`<section class="card" id="systems">
    <h2>Systems</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>System</th>
            <th>Health</th>
            <th>Last successful sign-in</th>
          </tr>
        </thead>
        <tbody>
          ${systems.map(
            (health) =>
              html`<tr data-system="${health.system}">
                  <td>${health.system}</td>
                  <td>${healthBadge(health)}</td>
                  <td>${timeTag(health.lastSignInAt)}</td>
                </tr>
                ${
                  health.lastProblem
                    ? html`<tr>
                        <td colspan="3" class="muted">Last problem: ${health.lastProblem}</td>
                      </tr>`
                    : ''
                }`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

function positionCard(overview: Overview): SafeHtml {
  return html`<section class="card" id="position">
    <h2>Where the sync is</h2>
    <dl class="facts">
      <dt>Primero cursor</dt>
      <dd><code>${overview.cursors.primero ?? 'not set yet'}</code></dd>
      <dt>OSCaR cursor</dt>
      <dd><code>${overview.cursors.oscar ?? 'not set yet'}</code></dd>
      <dt>Next scheduled run</dt>
      <dd>
        ${overview.nextScheduledRun ? timeTag(overview.nextScheduledRun) : html`<span class="muted">no timer running</span>`}
      </dd>
      <dt>Waiting for retry</dt>
      <dd>${overview.retrying} item(s)</dd>
      <dt>Dead letters</dt>
      <dd><a href="/dead-letters">${overview.deadLetters.length} open</a></dd>
    </dl>
  </section>`;
}

function actionsCard(overview: Overview, csrfToken: string, today: string): SafeHtml {
  const busy = overview.runningRunId
    ? html`<p class="notice warn">
        A run is in progress (<a href="/runs/${encodeURIComponent(overview.runningRunId)}"
          >open it</a
        >); a new one will be refused until it ends.
      </p>`
    : '';
  const firstRun =
    !overview.cursors.primero && !overview.cursors.oscar
      ? html`<p class="notice warn">
          No cursor yet: the first run needs a start date. Use <strong>Backfill from</strong> a date
          below; the hourly runs carry on from there.
        </p>`
      : '';
  return html`<section class="card" id="actions">
    <h2>Run the sync</h2>
    ${busy}${firstRun}
    <div class="actions">
      <form method="post" action="/runs">
        ${csrfField(csrfToken)}
        <input type="hidden" name="kind" value="now" />
        <button type="submit" id="run-now">Run now</button>
      </form>
      <form method="post" action="/runs">
        ${csrfField(csrfToken)}
        <input type="hidden" name="kind" value="dry-run" />
        <button type="submit" class="secondary" id="dry-run">Dry run</button>
      </form>
      <form method="post" action="/runs">
        ${csrfField(csrfToken)}
        <input type="hidden" name="kind" value="backfill" />
        <div>
          <label for="since">Backfill from</label>
          <input type="date" id="since" name="since" required max="${today}" />
        </div>
        <button type="submit" class="secondary" id="backfill">Backfill…</button>
      </form>
    </div>
    <p class="muted">
      Run now does what the hourly timer does, from the stored cursor. A dry run reads both systems
      and lists what it would write, without writing anything. A backfill re-reads everything
      changed since a date (you will be asked to confirm).
    </p>
  </section>`;
}

/** Referrals sent to OSCaR that no NGO has answered within the allowed days: ids only. */
function overdueCard(overview: Overview): SafeHtml {
  const overdue = overview.overdueReferrals;
  return html`<section class="card" id="overdue-referrals">
    <h2>Referrals awaiting an NGO decision too long (${overdue.length})</h2>
    ${
      overdue.length === 0
        ? html`<p class="muted">None.</p>`
        : html`<ul>
              ${overdue.map(
                (item) =>
                  html`<li>
                    <code>${Object.values(item.ids).join(' / ')}</code> at
                    <code>${item.organisation}</code>: waiting ${item.daysWaiting} days
                  </li>`,
              )}
            </ul>
            <p class="muted">
              Ask the NGO in OSCaR: a referral it declined shows in no OSCaR listing.
            </p>`
    }
  </section>`;
}

// Runs are refused while a table needs attention; the administrator sees why before pressing Run.
function mappingCard(problems: string[]): SafeHtml | string {
  if (problems.length === 0) return '';
  return html`<section class="notice bad" id="mapping-tables" role="alert">
    <p>
      The mapping tables need attention (${problems.length} problem(s)); runs are refused until they
      are fixed. Edit the files below, then check with <code>npx interop check-mappings</code>.
    </p>
    <ul>
      ${problems.map((problem) => html`<li>${problem}</li>`)}
    </ul>
  </section>`;
}

/** A system the schedule stopped signing in to (never lock the API user), with its resume button. */
function signInPausedCard(overview: Overview, csrfToken: string): SafeHtml | string {
  const paused = overview.signInPaused ?? [];
  if (paused.length === 0) return '';
  return html`<section class="card" id="sign-in-paused">
    <h2>Scheduled runs stopped signing in</h2>
    ${paused.map(
      (pause) =>
        html`<div class="notice bad">${pause.message}</div>
          <form method="post" action="/sign-in/${pause.system}/resume">
            ${csrfField(csrfToken)}
            <button type="submit" id="resume-${pause.system}">Resume ${pause.system}</button>
          </form>`,
    )}
  </section>`;
}

export function overviewPage(
  overview: Overview,
  page: { nonce: string; csrfToken: string; notice?: NoticeCode },
): SafeHtml {
  const notice = page.notice ? NOTICES[page.notice] : undefined;
  const deadLetters = overview.deadLetters.slice(0, 5);
  const body = html`<h1>Overview</h1>
    ${verdictLine(overview)}
    ${notice ? html`<div class="notice ${notice.tone}">${notice.text}</div>` : ''}
    ${mappingCard(overview.mappingProblems ?? [])} ${signInPausedCard(overview, page.csrfToken)}
    <div class="grid spaced">${systemsCard(overview.systems)} ${positionCard(overview)}</div>
    ${actionsCard(overview, page.csrfToken, localDay(Date.now()))} ${chartCard(overview.days ?? [])}
    <section class="card" id="runs">
      <h2>Last runs</h2>
      ${runHistoryTable(overview.runs)}
      <p><a href="/runs" id="all-runs">All runs, with filters</a></p>
    </section>
    <section class="card" id="dead-letters">
      <h2>Open dead letters (${overview.deadLetters.length})</h2>
      ${
        deadLetters.length === 0
          ? html`<p class="muted">
              None: every failed item is either fixed or still being retried.
            </p>`
          : html`<ul>
                ${deadLetters.map(
                  (item) =>
                    html`<li>
                      <code>${item.step}</code> ${item.kind} <code>${item.id}</code>: ${item.reason}
                      <span class="where">(in ${whereToAct(item)})</span>
                    </li>`,
                )}
              </ul>
              <p><a href="/dead-letters">All dead letters, and retry</a></p>`
      }
    </section>
    ${overdueCard(overview)}
    <section class="card" id="trace-search">
      <h2>Where is this child's referral?</h2>
      ${traceForm()}
    </section>`;
  return layout({
    title: 'Overview',
    nonce: page.nonce,
    csrfToken: page.csrfToken,
    active: 'overview',
    body,
  });
}
