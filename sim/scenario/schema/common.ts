import { text } from '../../input/kit.js';

/*
 * Patterns and small schemas shared by the sections of a scenario file. The name patterns are the API server's
 * (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Label, IsDNS1123Subdomain).
 */

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const SCENARIO_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
export const DIGEST_HINT = 'sha256:<64 lower-case hex>';
/** A docker tag (distribution/reference's tag grammar). */
export const TAG = /^[\w][\w.-]{0,127}$/;
export const TAG_HINT = 'letters, digits, _ . - up to 128 characters';
export const HOST = /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?$/;
/** A repository path as distribution/reference's path components allow. */
export const REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** `namespace/name` of a pod. */
export const POD_KEY = /^[a-z0-9-]+\/[a-z0-9.-]+$/;

export const digest = () => text({ pattern: DIGEST, hint: DIGEST_HINT });
export const dnsLabel = () => text({ pattern: DNS_LABEL, hint: 'a DNS label' });
export const dnsSubdomain = (hint = 'a DNS subdomain name') => text({ pattern: DNS_SUBDOMAIN, hint });
export const podKey = () => text({ pattern: POD_KEY, hint: 'namespace/name' });

/** A relative path without empty, `.` or `..` parts (a file under image_manager/). */
export function isRelativePath(path: string): boolean {
  return (
    !path.startsWith('/') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}
