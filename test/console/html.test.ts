import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../src/console/html.ts';

describe('the html tagged template escapes every interpolated value', () => {
  it('escapes markup and attribute-breaking characters', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y' \``)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39; &#96;',
    );
  });

  it('escapes values but keeps nested html as markup', () => {
    const reason = '<img src=x onerror=alert(1)>';
    const row = html`<td title="${'" onclick="evil'}">${reason}</td>`;
    const cells = [row, html`<td>${1}</td>`, '<b>'];
    // prettier-ignore
    const page = html`<tr>${cells}</tr>`;
    expect(page.markup).toBe(
      '<tr><td title="&quot; onclick=&quot;evil">&lt;img src=x onerror=alert(1)&gt;</td><td>1</td>&lt;b&gt;</tr>',
    );
  });

  it('renders nothing for null, undefined and false', () => {
    expect(html`a${null}b${undefined}c${false}d`.markup).toBe('abcd');
  });
});
