import { type Command, Option } from '@commander-js/extra-typings';
import { VERIFICATION_POLICIES } from '../../../src/pullmanager/policy.js';
import type { Parsed } from '../command.js';

/** Declares `pullsim audit DIR|FILE`: a node's image-pull exposure under each verification policy. */
export function declareAudit(program: Command) {
  return program
    .command('audit')
    .description(
      "for a node's images and pods: how the kubelet sees each image, what each container's next start does under each verification policy, and which pods can start images no credential of theirs was verified for",
    )
    .argument(
      '[file]',
      'a directory of collected files (pullsim import --collect-script), or a scenario file (YAML or JSON) holding the node',
    )
    .addOption(
      new Option(
        '--policy <policy>',
        "the policy of the headline; default: the node's own configuration",
      ).choices(VERIFICATION_POLICIES),
    )
    .option('--node <name>', "the node to audit; default: the scenario's first")
    .option('--json', 'print the audit report as JSON (contract §6)')
    .option('--markdown', 'print the report as Markdown')
    .option('--html <file>', 'also write the report as one self-contained HTML file')
    .option('--collect-script', "print the POSIX sh script that collects a node's files, and exit");
}

/** The scenario file and the options of `pullsim audit`. */
export type AuditCommandOptions = Parsed<typeof declareAudit, ['file']>;
