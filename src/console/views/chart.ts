// The last 30 days drawn on the server as plain inline SVG (no script, no chart library in the
// browser): records moved each way, failed items, run time; each chart has a text label for screen
// readers, and the same numbers are in a table below.
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { DayStats } from '../daily-stats.ts';

const WIDTH = 600;
const HEIGHT = 80;
const COLOURS = { toOscar: '#1f5fbf', toPrimero: '#17663a', failed: '#a1261b', time: '#5b6474' };

interface Series {
  name: string;
  colour: string;
  value: (day: DayStats) => number;
}

const minutes = (day: DayStats) => Math.round((day.runSeconds / 60) * 10) / 10;

/** Bars per day, the series of a day side by side; every bar has a hover title with its number. */
function bars(days: DayStats[], series: Series[], label: string): SafeHtml {
  const max = Math.max(1, ...days.flatMap((day) => series.map((s) => s.value(day))));
  const slot = WIDTH / days.length;
  const barWidth = Math.max(1, (slot - 2) / series.length);
  const rects = days.flatMap((day, index) =>
    series.map((s, n) => {
      const value = s.value(day);
      const height = value === 0 ? 0 : Math.max(1, (value / max) * (HEIGHT - 2));
      const x = (index * slot + 1 + n * barWidth).toFixed(1);
      const y = (HEIGHT - height).toFixed(1);
      return html`<rect
        x="${x}"
        y="${y}"
        width="${barWidth.toFixed(1)}"
        height="${height.toFixed(1)}"
        fill="${s.colour}"
        ><title>${day.day}: ${value} ${s.name}</title></rect
      >`;
    }),
  );
  return html`<svg
    class="chart"
    viewBox="0 0 ${WIDTH} ${HEIGHT + 1}"
    preserveAspectRatio="none"
    role="img"
    aria-label="${label}"
  >
    <line x1="0" y1="${HEIGHT + 0.5}" x2="${WIDTH}" y2="${HEIGHT + 0.5}" stroke="#d9dde5" />
    ${rects}
  </svg>`;
}

function legend(series: Series[]): SafeHtml {
  return html`${series.map(
    (s) =>
      html`<span class="legend"
        ><svg width="12" height="12" aria-hidden="true">
          <rect width="12" height="12" fill="${s.colour}" />
        </svg>
        ${s.name}</span
      >`,
  )}`;
}

function panel(
  id: string,
  title: string,
  days: DayStats[],
  series: Series[],
  unit: string,
): SafeHtml {
  const totals = series.map((s) => `${days.reduce((sum, day) => sum + s.value(day), 0)} ${s.name}`);
  const max = Math.max(0, ...days.flatMap((day) => series.map((s) => s.value(day))));
  const label = `${title}, per day over the last ${days.length} days: ${totals.join(', ')} in all; at most ${max} ${unit} in a day.`;
  return html`<figure class="chart-panel" id="${id}">
    <figcaption>
      <strong>${title}</strong> ${legend(series)}
      <span class="muted">(highest day: ${max} ${unit})</span>
    </figcaption>
    ${bars(days, series, label)}
  </figure>`;
}

export function chartCard(days: DayStats[]): SafeHtml {
  if (days.length === 0) return html``;
  const moved: Series[] = [
    { name: 'to OSCaR', colour: COLOURS.toOscar, value: (day) => day.toOscar },
    { name: 'to Primero', colour: COLOURS.toPrimero, value: (day) => day.toPrimero },
  ];
  const failed: Series[] = [
    { name: 'failed items', colour: COLOURS.failed, value: (d) => d.failed },
  ];
  const time: Series[] = [{ name: 'minutes running', colour: COLOURS.time, value: minutes }];
  return html`<section class="card" id="last-30-days">
    <h2>Last ${days.length} days</h2>
    <p class="muted">
      ${days[0]!.day} to ${days.at(-1)!.day}, Cambodia days; dry runs are not counted.
    </p>
    ${panel('chart-moved', 'Records moved', days, moved, 'records')}
    ${panel('chart-failed', 'Failed items', days, failed, 'items')}
    ${panel('chart-time', 'Run time', days, time, 'minutes')}
    <details>
      <summary>The same numbers as a table</summary>
      <div class="scroll">
        <table class="chart-table">
          <caption class="visually-hidden">
            Per day: records moved, failed items, run time
          </caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col" class="num">Runs</th>
              <th scope="col" class="num">To OSCaR</th>
              <th scope="col" class="num">To Primero</th>
              <th scope="col" class="num">Failed items</th>
              <th scope="col" class="num">Minutes running</th>
            </tr>
          </thead>
          <tbody>
            ${[...days].reverse().map(
              (day) =>
                html`<tr data-day="${day.day}">
                  <th scope="row">${day.day}</th>
                  <td class="num">${day.runs}</td>
                  <td class="num">${day.toOscar}</td>
                  <td class="num">${day.toPrimero}</td>
                  <td class="num">${day.failed}</td>
                  <td class="num">${minutes(day)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>
  </section>`;
}
