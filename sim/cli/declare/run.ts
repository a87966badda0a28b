import { type Command, Option } from '@commander-js/extra-typings';
import { MODES } from '../../scenario/types.js';
import type { Parsed } from '../command.js';
import { parseSeed } from '../options.js';

/** Declares `pullsim run FILE`: one scenario in one mode. */
export function declareRun(program: Command) {
  return program
    .command('run')
    .description('run one scenario in one mode and print its containers (or the result JSON)')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .addOption(
      new Option('--mode <mode>', 'kubelet behaviour; default: the scenario as configured').choices([
        ...MODES,
        'as-configured',
      ]),
    )
    .addOption(new Option('--seed <n>', "override the scenario's seed").argParser(parseSeed))
    .option('--json', 'print the result JSON (contract §4)')
    .option('--trace <file>', 'write the event trace as JSON Lines')
    .option('--include-files', 'put the final image_manager/ files in the result')
    .option(
      '--metrics',
      "print the simulated kubelet's image-manager metrics at the end (Prometheus text; with --json, in nodes[].metrics)",
    )
    .option('--fail-on-violation', 'exit 1 when a container started in violation');
}

/** The scenario file and the options of `pullsim run`. */
export type RunOptions = Parsed<typeof declareRun, ['file']>;
