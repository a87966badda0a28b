/**
 * One configured credential-provider plugin with its response cache: `pluginProvider.provide`
 * (`pkg/credentialprovider/plugin/plugin.go`). In order: the image must match the plugin's `matchImages`
 * (`isImageAllowed`, `URLsMatchStr`); in KEP-4412 service-account-token mode the pod's service account and the
 * annotations the plugin asks for are read and a token is requested, any failure giving no credentials; the cache
 * is consulted under the image, registry and global keys joined with the service-account key; on a miss the plugin
 * runs and its answer is kept under the key its `cacheKeyType` selects, until now + its `cacheDuration` (absent:
 * the provider's `defaultCacheDuration`; zero either way: not kept).
 *
 * From 1.34 (kubernetes/kubernetes#132617, `profile.pluginServiceAccountCacheType`) an answer whose password is the
 * pod's service-account token verbatim gives no credentials unless the provider's cache type is `Token`; and
 * `provideWithCoordinates` (#132771) also names the service account the credentials were obtained for.
 *
 * Not modelled: the singleflight around the plugin's execution (concurrent calls) and the exec wire encoding. This
 * module is tested against the upstream cases (test/conformance/credentialprovider-plugin-cache.ts); pullsim's
 * simulated plugins answer without a cache type or duration, so the plugin path of
 * src/credentials/pod-credentials.ts asks them afresh (docs/kubelet-model.md#the-plugin-response-cache).
 */
import type { KubeletProfile } from '../profiles.js';
import type { Ticks } from '../time.js';
import { urlsMatchStr } from './keyring.js';
import { type PluginCredentials, PluginResponseCache } from './plugin-cache.js';
import {
  baseCacheKey,
  generateCacheKey,
  generateServiceAccountCacheKey,
  getHashIfNotEmpty,
  type ServiceAccountTokenCacheType,
} from './plugin-cache-key.js';

/** A plugin's `CredentialProviderResponse`, as far as the provider reads it. */
export interface PluginResponse {
  readonly cacheKeyType: string;
  /** `cacheDuration`; absent is nil (use the provider's default). */
  readonly cacheDurationTicks?: Ticks;
  readonly auth: Readonly<Record<string, { readonly username?: string; readonly password?: string }>>;
}

/** `tokenAttributes` of the provider's configuration (KEP-4412). */
export interface PluginTokenAttributes {
  readonly requireServiceAccount: boolean;
  readonly requiredServiceAccountAnnotationKeys: readonly string[];
  readonly optionalServiceAccountAnnotationKeys: readonly string[];
  /** 1.34+ (#132617). */
  readonly cacheType?: ServiceAccountTokenCacheType;
}

export interface PluginProviderConfig {
  readonly matchImages: readonly string[];
  /** `defaultCacheDuration`; zero keeps nothing an answer does not give a duration for. */
  readonly defaultCacheDurationTicks: Ticks;
  readonly tokenAttributes?: PluginTokenAttributes;
}

/** What the kubelet knows of the pod asking: its namespace, its service account (read from the API server), a token. */
export interface PluginPodRequest {
  readonly podNamespace: string;
  /** `spec.serviceAccountName`; empty for a pod without one. */
  readonly serviceAccountName: string;
  /** The service account as read, or undefined when it cannot be read. */
  readonly serviceAccount?: { readonly uid: string; readonly annotations: Readonly<Record<string, string>> };
  /** The token the API server mints for it, or undefined when the token request fails. */
  readonly token?: string;
}

/** The plugin's execution: its answer, or undefined when it fails. */
export type PluginExec = (
  image: string,
  token: string,
  annotations: Readonly<Record<string, string>>,
) => PluginResponse | undefined;

/** `credentialprovider.ServiceAccountCoordinates`: the service account a token-mode answer was obtained for. */
export interface ServiceAccountCoordinates {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** `provideWithCoordinates`: the credentials and, in token mode with a service account, its coordinates. */
export interface ProvidedCredentials {
  readonly credentials: PluginCredentials;
  readonly serviceAccount?: ServiceAccountCoordinates;
}

/** Service-account mode's inputs to the plugin and to the key; undefined: give no credentials. */
interface ServiceAccountPart {
  readonly token: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly cacheKey: string;
  readonly coordinates?: ServiceAccountCoordinates;
}

const NOTHING: ProvidedCredentials = { credentials: {} };

export class PluginProvider {
  readonly cache: PluginResponseCache;

  constructor(
    private readonly config: PluginProviderConfig,
    private readonly profile: Pick<KubeletProfile, 'pluginServiceAccountCacheType'>,
    private readonly now: () => Ticks,
    /** The plugin; replaceable, as the upstream tests replace it to prove an answer came from the cache. */
    public exec: PluginExec,
  ) {
    this.cache = new PluginResponseCache(now);
  }

  /** `provide(image, …)`: the plugin's credentials for `image`, from the cache or from the plugin. */
  provide(image: string, pod: PluginPodRequest): PluginCredentials {
    return this.provideWithCoordinates(image, pod).credentials;
  }

  /** `provideWithCoordinates(image)`: the credentials, and the service account they were obtained for. */
  provideWithCoordinates(image: string, pod: PluginPodRequest): ProvidedCredentials {
    if (!this.config.matchImages.some((match) => urlsMatchStr(match, image))) return NOTHING;
    const serviceAccount = this.serviceAccountPart(pod);
    if (serviceAccount === undefined) return NOTHING;
    const found = (credentials: PluginCredentials): ProvidedCredentials =>
      serviceAccount.coordinates === undefined
        ? { credentials }
        : { credentials, serviceAccount: serviceAccount.coordinates };
    const cached = this.cache.lookup(image, serviceAccount.cacheKey);
    if (!cached.ok) return NOTHING;
    if (cached.credentials !== undefined) return found(cached.credentials);

    const response = this.exec(image, serviceAccount.token, serviceAccount.annotations);
    if (response === undefined || this.echoesToken(response, serviceAccount.token)) return NOTHING;
    const base = baseCacheKey(response.cacheKeyType, image);
    if (base === undefined) return NOTHING; // "did not return a valid cacheKeyType"
    const credentials: PluginCredentials = Object.fromEntries(
      Object.entries(response.auth).map(([match, auth]) => [
        match,
        { username: auth.username ?? '', password: auth.password ?? '' },
      ]),
    );
    const duration = response.cacheDurationTicks ?? this.config.defaultCacheDurationTicks;
    if (duration === 0) return found(credentials);
    const key = generateCacheKey(base, serviceAccount.cacheKey);
    if (!key.ok) return NOTHING;
    this.cache.add({ key: key.key, credentials, expiresAt: (this.now() + duration) as Ticks });
    return found(credentials);
  }

  /**
   * 1.34+ (#132617): "Credential provider plugin returned the service account token as the password", refused unless
   * the provider's cache type is `Token`.
   */
  private echoesToken(response: PluginResponse, token: string): boolean {
    if (!this.profile.pluginServiceAccountCacheType || token === '') return false;
    if (this.config.tokenAttributes?.cacheType === 'Token') return false;
    return Object.values(response.auth).some((auth) => auth.password === token);
  }

  /** The service-account part of `provide`: empty outside token mode or for a pod without a service account. */
  private serviceAccountPart(pod: PluginPodRequest): ServiceAccountPart | undefined {
    const attributes = this.config.tokenAttributes;
    const none = { token: '', annotations: {}, cacheKey: '' };
    if (attributes === undefined) return none;
    if (pod.serviceAccountName === '') return attributes.requireServiceAccount ? undefined : none;
    const account = pod.serviceAccount;
    if (account === undefined) return undefined; // "Failed to get service account"
    const annotations: Record<string, string> = {};
    for (const key of attributes.requiredServiceAccountAnnotationKeys) {
      const value = account.annotations[key];
      if (value === undefined) return undefined; // requiredAnnotationNotFoundError: the plugin is not run
      annotations[key] = value;
    }
    for (const key of attributes.optionalServiceAccountAnnotationKeys) {
      const value = account.annotations[key];
      if (value !== undefined) annotations[key] = value;
    }
    if (pod.token === undefined) return undefined; // "Error getting service account token"
    const cacheKey = generateServiceAccountCacheKey(
      {
        namespace: pod.podNamespace,
        serviceAccountName: pod.serviceAccountName,
        serviceAccountUid: account.uid,
        annotations,
        tokenHash: getHashIfNotEmpty(pod.token),
        ...(attributes.cacheType === undefined ? {} : { cacheType: attributes.cacheType }),
      },
      this.profile,
    );
    if (!cacheKey.ok) return undefined;
    const coordinates = { namespace: pod.podNamespace, name: pod.serviceAccountName, uid: account.uid };
    return { token: pod.token, annotations, cacheKey: cacheKey.key, coordinates };
  }
}
