// The page frame every console page shares: inline stylesheet (no assets, no build step), the
// navigation and the sign-out form. Readable on a laptop and on a phone.
import { html, trustedHtml } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import type { StepId } from '../../workflow/contract.ts';
import { STEPS } from '../../workflow/steps.ts';
import { formatLocalTime, formatUtcTime } from '../../runner/local-time.ts';

/** Each step's title as src/workflow/steps.ts declares it. */
export const STEP_TITLES = Object.fromEntries(STEPS.map((step) => [step.id, step.title])) as Record<
  StepId,
  string
>;

const STYLESHEET = `
:root { --fg:#1d2330; --muted:#5b6474; --line:#d9dde5; --bg:#f5f6f8; --card:#fff; --ok:#17663a;
  --okbg:#dff3e6; --bad:#a1261b; --badbg:#fbe3e0; --warn:#7a5300; --warnbg:#fdf0cf; --accent:#1f5fbf; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header { background:#1d2330; color:#fff; padding:.6rem 1rem; display:flex; flex-wrap:wrap; gap:.5rem 1.25rem; align-items:center; }
header strong { font-size:1.05rem; margin-right:auto; }
header a, header button.link { color:#fff; text-decoration:none; font:inherit; }
header a[aria-current] { text-decoration:underline; text-underline-offset:4px; }
header form { margin:0; }
button.link { background:none; border:0; padding:0; cursor:pointer; text-decoration:underline; }
main { max-width:72rem; margin:0 auto; padding:1rem; }
h1 { font-size:1.4rem; margin:.5rem 0 1rem; }
h2 { font-size:1.1rem; margin:0 0 .6rem; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:1rem; margin-bottom:1rem; }
.grid { display:grid; gap:1rem; grid-template-columns:repeat(auto-fit, minmax(16rem, 1fr)); }
.grid section.card { margin-bottom:0; }
.spaced { margin-bottom:1rem; }
header nav { display:contents; }
.muted { color:var(--muted); }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-size:.93rem; }
th, td { text-align:left; padding:.4rem .5rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; white-space:nowrap; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:.3rem 1rem; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; overflow-wrap:anywhere; }
.badge { display:inline-block; padding:.05rem .5rem; border-radius:999px; font-size:.85rem; font-weight:600; white-space:nowrap; }
.badge.succeeded, .badge.healthy { color:var(--ok); background:var(--okbg); }
.badge.failed, .badge.interrupted, .badge.refused, .badge.problem { color:var(--bad); background:var(--badbg); }
.badge.running, .badge.unknown, .badge.dry { color:var(--warn); background:var(--warnbg); }
.badge.succeeded-with-failures, .badge.attention, .badge.failed-item { color:var(--warn); background:var(--warnbg); }
.badge.written, .badge.unchanged { color:var(--ok); background:var(--okbg); }
.badge.dead-lettered { color:var(--bad); background:var(--badbg); }
.verdict { font-weight:600; }
.id { white-space:nowrap; }
.notice { padding:.6rem .8rem; border-radius:6px; margin-bottom:1rem; }
.notice.ok { background:var(--okbg); color:var(--ok); }
.notice.bad { background:var(--badbg); color:var(--bad); }
.notice.warn { background:var(--warnbg); color:var(--warn); }
.actions { display:flex; flex-wrap:wrap; gap:.75rem; align-items:flex-end; }
.actions form { margin:0; display:flex; flex-wrap:wrap; gap:.5rem; align-items:flex-end; }
label { display:block; font-size:.9rem; color:var(--muted); }
input[type=date], input[type=password] { font:inherit; padding:.45rem .5rem; border:1px solid var(--line); border-radius:6px; }
button { font:inherit; padding:.5rem .9rem; border-radius:6px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; }
button.secondary { background:#fff; color:var(--accent); }
button.danger { background:var(--bad); border-color:var(--bad); }
div.log { background:#11151c; color:#dfe5ee; padding:.75rem; border-radius:6px; overflow:auto; max-height:32rem;
  font: .82rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
div.log div { white-space:pre-wrap; overflow-wrap:anywhere; }
div.log .warn { color:#ffd479; } div.log .error { color:#ff8f84; }
progress { width:100%; height:1rem; }
code { font-size:.88em; overflow-wrap:anywhere; }
.signin { max-width:24rem; margin:12vh auto; }
:focus-visible { outline:3px solid #e59a00; outline-offset:2px; }
header :focus-visible { outline-color:#ffd479; }
.visually-hidden { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
select { font:inherit; padding:.45rem .5rem; border:1px solid var(--line); border-radius:6px; background:#fff; }
form.filters { display:flex; flex-wrap:wrap; gap:.5rem .75rem; align-items:flex-end; margin-bottom:.75rem; }
nav.pager { display:flex; flex-wrap:wrap; gap:1rem; justify-content:space-between; margin-top:.75rem; }
form.retry-run { display:flex; flex-wrap:wrap; gap:.5rem .75rem; align-items:center; margin-bottom:.75rem; }
.badge.attention { color:var(--warn); background:var(--warnbg); }
figure.chart-panel { margin:0 0 1rem; }
figure.chart-panel figcaption { margin-bottom:.25rem; }
svg.chart { display:block; width:100%; height:5rem; background:#fafbfc; }
.legend { display:inline-flex; align-items:center; gap:.25rem; margin-left:.5rem; font-size:.9rem; }
table.live-steps progress { min-width:8rem; }
table.live-steps tr[data-phase=done] td:nth-child(2) { color:var(--ok); }
@media (max-width: 40rem) {
  main { padding:.6rem; }
  th, td { padding:.35rem .3rem; }
  .hide-narrow { display:none; }
  /* Wide tables become one block per row: every cell on its own line, named by its column. */
  table.stack thead { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display:block; width:100%; }
  table.stack tr { border-bottom:1px solid var(--line); padding:.35rem 0; }
  table.stack th, table.stack td { border:0; text-align:left; }
  table.stack td[data-label]::before { content:attr(data-label) ": "; color:var(--muted); font-weight:600; }
  table.stack td.num { text-align:left; }
  table.stack progress { width:100%; }
  /* Count tables: the numbers of a row side by side under its name. */
  table.stack.counts td[data-label] { display:inline-block; width:auto; margin-right:1rem; padding:.1rem 0; }
}
`;

export interface LayoutOptions {
  title: string;
  /** Per-response nonce allowed by the Content-Security-Policy for the inline style and script. */
  nonce: string;
  body: SafeHtml;
  /** Present when signed in: shows the navigation and the sign-out form. */
  csrfToken?: string;
  active?: 'overview' | 'runs' | 'dead-letters' | 'trace';
  script?: string;
}

export function layout(options: LayoutOptions): SafeHtml {
  const nav = options.csrfToken
    ? html`<nav>
          <a href="/" ${options.active === 'overview' ? trustedHtml('aria-current="page"') : ''}
            >Overview</a
          >
          <a href="/runs" ${options.active === 'runs' ? trustedHtml('aria-current="page"') : ''}
            >Runs</a
          >
          <a
            href="/dead-letters"
            ${options.active === 'dead-letters' ? trustedHtml('aria-current="page"') : ''}
            >Dead letters</a
          >
          <a href="/trace" ${options.active === 'trace' ? trustedHtml('aria-current="page"') : ''}
            >Trace</a
          >
        </nav>
        <form method="post" action="/sign-out">
          <input type="hidden" name="_csrf" value="${options.csrfToken}" />
          <button class="link" type="submit">Sign out</button>
        </form>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Primero ⇄ OSCaR sync</title>
        <style nonce="${options.nonce}">
          ${trustedHtml(STYLESHEET)}
        </style>
      </head>
      <body>
        <header><strong>Primero ⇄ OSCaR sync</strong>${nav}</header>
        <main>${options.body}</main>
        ${
          options.script
            ? html`<script nonce="${options.nonce}">
                ${trustedHtml(options.script)};
              </script>`
            : ''
        }
      </body>
    </html>`;
}

/** Cambodia time with its offset (src/runner/local-time.ts): the one format of the console and CLI. */
export function formatTime(iso: string | undefined): string {
  return formatLocalTime(iso);
}

/** A moment in Cambodia time; the UTC instant is in `datetime` and shows on hover. */
export function timeTag(iso: string | undefined): SafeHtml {
  return iso
    ? html`<time datetime="${iso}" title="${formatUtcTime(iso)}">${formatLocalTime(iso)}</time>`
    : html`<span class="muted">—</span>`;
}

/** The hidden field every state-changing form carries. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}
