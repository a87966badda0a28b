/**
 * The kubelet's check of its credential-provider configuration at start-up (`pkg/credentialprovider/plugin`,
 * `RegisterCredentialProviderPlugins` → `validateCredentialProviderConfig`): a provider with `tokenAttributes`
 * (KEP-4412 service-account-token mode) is forbidden while the `KubeletServiceAccountTokenForCredentialProviders`
 * gate is off. The kubelet then logs "Failed to register CRI auth plugins" and exits
 * (`NewKubeGenericRuntimeManager`), before the image manager and its record directories exist.
 */
import type { CredentialProviderPlugin } from '../ports.js';

const TOKEN_ATTRIBUTES_FORBIDDEN =
  'providers.tokenAttributes: Forbidden: tokenAttributes is not supported when KubeletServiceAccountTokenForCredentialProviders feature gate is disabled';

/**
 * The start-up error for these plugins with the gate as given, or undefined. The field path carries no index, so
 * every provider in token mode gives the same message and `field.ErrorList.ToAggregate` keeps one.
 */
export function validateCredentialProviders(
  plugins: readonly CredentialProviderPlugin[],
  serviceAccountTokenGate: boolean,
): string | undefined {
  if (serviceAccountTokenGate || !plugins.some((plugin) => plugin.serviceAccountTokenMode)) return undefined;
  return `failed to validate credential provider config: ${TOKEN_ATTRIBUTES_FORBIDDEN}`;
}
