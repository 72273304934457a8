// "Where is this child's referral?": the trace search form and the page that lists every run
// that touched a child (src/runner/trace.ts, the same query as `npx interop trace`). Ids and
// reasons only: the history holds nothing else.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { TraceEntry, TraceView } from '../backend.ts';
import { layout, STEP_TITLES, timeTag } from './layout.ts';
import { whereToAct } from '../../runner/where-to-act.ts';

/** The search form (overview and trace page): a GET to /trace, so a trace can be bookmarked. */
export function traceForm(query = ''): SafeHtml {
  return html`<form method="get" action="/trace" role="search" id="trace-form" class="actions">
    <div>
      <label for="trace-q">Case id, global id or referral id</label>
      <input type="search" id="trace-q" name="q" value="${query}" required maxlength="200" />
    </div>
    <button type="submit" class="secondary" id="trace-submit">Trace</button>
  </form>`;
}

function idsList(ids: Record<string, string>): SafeHtml {
  const shown = Object.entries(ids).filter(([, value]) => value !== '');
  return html`${shown.map(([name, value]) => html`<span class="id">${name} <code>${value}</code></span> `)}`;
}

function entryRow(entry: TraceEntry): SafeHtml {
  return html`<tr data-outcome="${entry.outcome}">
    <td>${timeTag(entry.at)}</td>
    <td><a href="/runs/${encodeURIComponent(entry.runId)}">${entry.runId.slice(0, 8)}</a></td>
    <td title="${STEP_TITLES[entry.step] ?? entry.step}">${entry.step}</td>
    <td>${entry.kind}</td>
    <td><span class="badge ${entry.outcome}">${entry.outcome}</span></td>
    <td>${idsList(entry.ids)}</td>
    <td>
      ${entry.reason ? html`${entry.reason} <span class="where">(in ${whereToAct(entry)})</span>` : ''}
    </td>
  </tr>`;
}

export function tracePage(
  trace: TraceView | undefined,
  page: { nonce: string; csrfToken: string },
): SafeHtml {
  const results = !trace
    ? ''
    : trace.entries.length === 0
      ? html`<p class="notice warn" id="trace-empty">
          Nothing in the history for <code>${trace.query}</code>. Give a Primero case id, an OSCaR
          global id or a referral id; the history keeps the last INTEROP_HISTORY_DAYS days.
        </p>`
      : html`<p id="trace-summary">
            <code>${trace.query}</code>: ${trace.entries.length} item outcome(s) in ${trace.runs}
            run(s), oldest first.
          </p>
          <div class="scroll">
            <table id="trace-results">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Run</th>
                  <th>Step</th>
                  <th>Item</th>
                  <th>Outcome</th>
                  <th>Ids on each side</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                ${trace.entries.map(entryRow)}
              </tbody>
            </table>
          </div>`;
  const body = html`<h1>Trace a child</h1>
    <section class="card" id="trace">
      ${traceForm(trace?.query ?? '')}
      <p class="muted">
        Every run that touched the child: which step, which item (referral, decision, link, case),
        how it ended and why, with the ids in Primero and in OSCaR.
      </p>
      ${results}
    </section>`;
  return layout({
    title: 'Trace',
    nonce: page.nonce,
    csrfToken: page.csrfToken,
    active: 'trace',
    body,
  });
}
