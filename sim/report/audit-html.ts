import type { AuditReport } from '../audit/report-types.js';
import { auditSections } from './audit-sections.js';
import { escapeHtml } from './html.js';

/**
 * The audit as one self-contained HTML file (`pullsim audit --html OUT`): the sections of the text report as HTML
 * tables, with the style inline and no script or external resource, so the file can be mailed or archived.
 */
export function auditHtml(report: AuditReport): string {
  const body = auditSections(report)
    .map((section, index) => {
      const heading = index === 0 ? 'h1' : 'h2';
      const parts = [`<${heading}>${escapeHtml(section.title)}</${heading}>`];
      for (const paragraph of section.paragraphs) parts.push(`<p>${escapeHtml(paragraph)}</p>`);
      if (section.table !== undefined) {
        const head = section.table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
        const rows = section.table.rows
          .map((row) => `<tr>${row.map((c) => `<td>${lines(c)}</td>`).join('')}</tr>`)
          .join('\n');
        parts.push(`<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`);
      }
      if (section.bullets !== undefined)
        parts.push(`<ul>${section.bullets.map((b) => `<li>${escapeHtml(b)}</li>`).join('')}</ul>`);
      return parts.join('\n');
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pullsim audit: ${escapeHtml(report.node)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 90em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
</style></head>
<body>
${body}
</body></html>
`;
}

/** Cell text with its line breaks kept. */
function lines(text: string): string {
  return text.split('\n').map(escapeHtml).join('<br>');
}
