/**
 * The registry of upstream cases: every upstream test the conformance suite knows, in the order its files were
 * ported. conformance.test.ts runs the ported cases; docs/conformance.md is generated from this list.
 */
import { CREDENTIALPROVIDER_CONFIG_TESTS } from './credentialprovider-config.js';
import { CREDENTIALPROVIDER_PLUGIN_TESTS } from './credentialprovider-plugin.js';
import { FS_PULLRECORDS_TESTS } from './fs-pullrecords.js';
import { IMAGE_MANAGER_TESTS } from './image-manager.js';
import { IMAGE_MANAGER_CREDENTIAL_TESTS } from './image-manager-credentials.js';
import { IMAGE_PULL_MANAGER_MERGE_TESTS } from './image-pull-manager-merge.js';
import { IMAGE_PULL_MANAGER_MUST_PULL_TESTS } from './image-pull-manager-must-pull.js';
import { IMAGE_PULL_MANAGER_RECORD_TESTS } from './image-pull-manager-records.js';
import { IMAGE_PULL_POLICIES_TESTS } from './image-pull-policies.js';
import { KEYRING_TESTS } from './keyring.js';
import { MEM_PULLRECORDS_TESTS } from './mem-pullrecords.js';
import type { UpstreamTest } from './upstream-case.js';

export const UPSTREAM_TESTS: readonly UpstreamTest<unknown>[] = [
  ...IMAGE_PULL_POLICIES_TESTS,
  ...FS_PULLRECORDS_TESTS,
  ...MEM_PULLRECORDS_TESTS,
  ...IMAGE_PULL_MANAGER_MERGE_TESTS,
  ...IMAGE_PULL_MANAGER_MUST_PULL_TESTS,
  ...IMAGE_PULL_MANAGER_RECORD_TESTS,
  ...KEYRING_TESTS,
  ...CREDENTIALPROVIDER_CONFIG_TESTS,
  ...IMAGE_MANAGER_TESTS,
  ...IMAGE_MANAGER_CREDENTIAL_TESTS,
  ...CREDENTIALPROVIDER_PLUGIN_TESTS,
];
