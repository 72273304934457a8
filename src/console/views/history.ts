// The run history page: filters (outcome, started by, Cambodia days) in a plain GET form, one page
// of runs, and links to the newer and older pages that keep the filters.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { HistoryView } from '../backend.ts';
import { historyQuery, OUTCOMES, TRIGGERS } from '../run-history.ts';
import type { HistoryFilter } from '../run-history.ts';
import { layout } from './layout.ts';
import { runHistoryTable, TRIGGER_TITLES } from './runs.ts';

const OUTCOME_TITLES: Record<(typeof OUTCOMES)[number], string> = {
  succeeded: 'Succeeded',
  'succeeded-with-failures': 'Succeeded with failed items',
  failed: 'Failed',
  refused: 'Refused',
  interrupted: 'Interrupted',
  running: 'Running',
};

function option(value: string, title: string, selected: string | undefined): SafeHtml {
  return value === selected
    ? html`<option value="${value}" selected>${title}</option>`
    : html`<option value="${value}">${title}</option>`;
}

/** A day of the filter (Cambodia days), no later than today. */
function dayInput(name: string, label: string, value: string | undefined, today: string): SafeHtml {
  return html`<div>
    <label for="filter-${name}">${label}</label>
    <input type="date" id="filter-${name}" name="${name}" value="${value ?? ''}" max="${today}" />
  </div>`;
}

function filterForm(filter: HistoryFilter, today: string): SafeHtml {
  return html`<form method="get" action="/runs" class="filters" aria-label="Filter the runs">
    <div>
      <label for="filter-status">Outcome</label>
      <select id="filter-status" name="status">
        ${option('', 'Any', filter.status ?? '')}
        ${OUTCOMES.map((value) => option(value, OUTCOME_TITLES[value], filter.status))}
      </select>
    </div>
    <div>
      <label for="filter-trigger">Started by</label>
      <select id="filter-trigger" name="trigger">
        ${option('', 'Anyone', filter.trigger ?? '')}
        ${TRIGGERS.map((value) => option(value, TRIGGER_TITLES[value] ?? value, filter.trigger))}
      </select>
    </div>
    ${dayInput('since', 'From day', filter.since, today)}
    ${dayInput('until', 'To day', filter.until, today)}
    <button type="submit" id="apply-filters">Show</button>
    <a href="/runs">Clear filters</a>
  </form>`;
}

function pager(view: HistoryView): SafeHtml {
  if (view.pages <= 1) return html``;
  const newer =
    view.page > 1
      ? html`<a href="/runs${historyQuery(view.filter, view.page - 1)}" rel="prev" id="newer-runs"
          >← Newer runs</a
        >`
      : html`<span class="muted">← Newer runs</span>`;
  const older =
    view.page < view.pages
      ? html`<a href="/runs${historyQuery(view.filter, view.page + 1)}" rel="next" id="older-runs"
          >Older runs →</a
        >`
      : html`<span class="muted">Older runs →</span>`;
  return html`<nav class="pager" aria-label="Pages of runs">
    ${newer} <span>Page ${view.page} of ${view.pages}</span> ${older}
  </nav>`;
}

export function historyPageView(
  view: HistoryView,
  page: { nonce: string; csrfToken: string; today: string; error?: string },
): SafeHtml {
  const filtered = Object.keys(view.filter).length > 0;
  const body = html`<h1>Runs</h1>
    ${page.error ? html`<div class="notice bad" role="alert">${page.error}</div>` : ''}
    <section class="card" id="history">
      ${filterForm(view.filter, page.today)}
      <p class="muted" id="history-count">
        ${view.total} run(s)${filtered ? ' match these filters' : ''}; newest first, times in
        Cambodia time.
      </p>
      ${runHistoryTable(view.runs)} ${pager(view)}
    </section>`;
  return layout({
    title: 'Runs',
    nonce: page.nonce,
    csrfToken: page.csrfToken,
    active: 'runs',
    body,
  });
}
