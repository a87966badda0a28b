import Table from 'cli-table3';
import type { AuditReport } from '../audit/report-types.js';
import { type AuditSection, auditSections } from './audit-sections.js';

/** Width at which the long "why" columns of the terminal tables wrap. */
const WRAP_WIDTH = 64;

/** The audit for a terminal (`pullsim audit`): each section's title, prose and a cli-table3 table. */
export function auditText(report: AuditReport): string {
  return auditSections(report).map(sectionText).join('\n');
}

function sectionText(section: AuditSection): string {
  const parts = [section.title, ...section.paragraphs];
  if (section.table !== undefined) {
    const wrap = new Set(section.wrap ?? []);
    const table = new Table({
      head: [...section.table.head],
      style: { head: [], border: [], compact: true },
      wordWrap: true,
      colWidths: section.table.head.map((_, i) => (wrap.has(i) ? WRAP_WIDTH : null)),
    });
    for (const row of section.table.rows) table.push([...row]);
    parts.push(table.toString());
  }
  for (const bullet of section.bullets ?? []) parts.push(`- ${bullet}`);
  return `${parts.join('\n')}\n`;
}

/** The audit as Markdown (`pullsim audit --markdown`): a heading per section, pipe tables. */
export function auditMarkdown(report: AuditReport): string {
  return auditSections(report)
    .map((section, index) => {
      const lines = [`${index === 0 ? '##' : '###'} ${cell(section.title)}`, ''];
      for (const paragraph of section.paragraphs) lines.push(cell(paragraph), '');
      if (section.table !== undefined) {
        lines.push(`| ${section.table.head.map(cell).join(' | ')} |`);
        lines.push(`|${section.table.head.map(() => '---').join('|')}|`);
        for (const row of section.table.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
        lines.push('');
      }
      for (const bullet of section.bullets ?? []) lines.push(`- ${cell(bullet)}`);
      if (section.bullets !== undefined) lines.push('');
      return lines.join('\n');
    })
    .join('\n');
}

/** A Markdown table cell: pipes escaped, line breaks as `<br>`. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}
