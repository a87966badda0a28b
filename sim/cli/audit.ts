import { auditScenario } from '../audit/audit.js';
import { loadScenario } from '../files.js';
import { auditMarkdown, auditText } from '../report/audit-report.js';
import type { AuditCommandOptions } from './declare/audit.js';
import { type CliIo, EXIT_OK, writeOutputFile } from './io.js';

/** `pullsim audit FILE`: the node's exposure report; returns the exit code (0, or 2 on bad input). */
export async function auditCommand(options: AuditCommandOptions, io: CliIo): Promise<number> {
  const scenario = loadScenario(options.file);
  const report = auditScenario(scenario, {
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.node === undefined ? {} : { node: options.node }),
  });
  if (options.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (options.markdown) io.stdout(auditMarkdown(report));
  else io.stdout(auditText(report));
  if (options.html !== undefined) {
    // The HTML helpers share a module with the chart library; it loads only for an HTML report.
    const { auditHtml } = await import('../report/audit-html.js');
    writeOutputFile(options.html, auditHtml(report));
  }
  return EXIT_OK;
}
