import { statSync } from 'node:fs';
import { auditScenario } from '../audit/audit.js';
import { InputError } from '../errors.js';
import { loadScenario } from '../files.js';
import { COLLECT_SCRIPT, importNode } from '../node-import/index.js';
import { auditMarkdown, auditText } from '../report/audit-report.js';
import type { Scenario } from '../scenario/types.js';
import type { AuditCommandOptions } from './declare/audit.js';
import { type CliIo, EXIT_OK, writeOutputFile } from './io.js';

/** `pullsim audit FILE|DIR`: the node's exposure report; returns the exit code (0, or 2 on bad input). */
export async function auditCommand(options: AuditCommandOptions, io: CliIo): Promise<number> {
  // The same script as `pullsim import --collect-script`: the audit reads the directory it writes.
  if (options.collectScript) {
    io.stdout(COLLECT_SCRIPT);
    return EXIT_OK;
  }
  if (options.file === undefined)
    throw new InputError({
      code: 'invalid_option',
      path: [],
      message: 'audit needs a directory of collected files or a scenario file (or --collect-script)',
    });
  const { scenario, notes } = await auditInput(options.file);
  const report = auditScenario(scenario, {
    couldNotJudge: notes,
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

/**
 * A directory of collected files is imported first (`pullsim import`, docs/audit.md "Collecting"), its notes going
 * to the report's "could not judge"; anything else is a scenario file.
 */
async function auditInput(path: string): Promise<{ scenario: Scenario; notes: string[] }> {
  if (!isDirectory(path)) return { scenario: loadScenario(path), notes: [] };
  const imported = await importNode(path);
  return { scenario: imported.scenario, notes: imported.notes.map((n) => `${n.about}: ${n.message}`) };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // loadScenario reports a path it cannot read
  }
}
