import {
  AUDIT_COLUMNS,
  type AuditColumn,
  type AuditImage,
  type AuditReport,
  type NextStart,
} from '../audit/report-types.js';
import { modeTitle } from './text.js';

/**
 * The audit report as sections of prose and tables, the one layout that the text, Markdown and HTML renderers
 * (sim/report/audit-report.ts, audit-html.ts) each draw in their own syntax.
 */
export interface AuditSection {
  readonly title: string;
  readonly paragraphs: readonly string[];
  readonly table?: { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] };
  /** Columns whose text is long and should wrap (by index). */
  readonly wrap?: readonly number[];
  readonly bullets?: readonly string[];
}

const NEXT_STARTS: readonly NextStart[] = ['reuse', 'verify', 'refused', 'pull', 'error'];

/** Every section of the report, in reading order (docs/audit.md "Reading the report"). */
export function auditSections(report: AuditReport): AuditSection[] {
  return [
    headlineSection(report),
    decisionsSection(report),
    policiesSection(report),
    imagesSection(report),
    ...otherExposuresSection(report),
    ...filesSection(report),
    {
      title: 'What this audit could not judge',
      paragraphs: [],
      bullets: report.couldNotJudge,
    },
  ];
}

/** `pod/container`. */
function where(c: { readonly pod: string; readonly container: string }): string {
  return `${c.pod}/${c.container}`;
}

function columnTitle(report: AuditReport, column: AuditColumn): string {
  if (column !== 'as-configured') return modeTitle(column);
  const effective = report.policies.find((p) => p.policy === column)?.effective ?? '';
  return `configured (${modeTitle(effective)})`;
}

function headlineSection(report: AuditReport): AuditSection {
  const k = report.configured;
  const configured = k.featureGate
    ? `${k.policy ?? 'NeverVerifyPreloadedImages (default)'}${k.allowlist.length === 0 ? '' : `, allowlist ${k.allowlist.join(', ')}`}`
    : 'feature gate KubeletEnsureSecretPulledImages off';
  const summary = report.policies.find((p) => p.policy === report.headline.policy);
  const exposures = summary?.exposures ?? [];
  const text = report.headline.text;
  return {
    title: `Audit of node ${report.node} (${report.scenario}) · kubelet ${report.kubeletVersion} · configured: ${configured}`,
    paragraphs: [`${text.charAt(0).toUpperCase()}${text.slice(1)}${exposures.length === 0 ? '.' : ':'}`],
    ...(exposures.length === 0
      ? {}
      : {
          table: {
            head: ['pod/container', 'image', 'why'],
            rows: exposures.map((e) => [where(e), e.image, e.why]),
          },
          wrap: [2],
        }),
  };
}

function decisionsSection(report: AuditReport): AuditSection {
  return {
    title: 'Next start of each container',
    paragraphs: [
      "reuse: starts the present image without contacting the registry · verify: the image is present, the pod must pull it with its own credentials · refused: ErrImageNeverPull · pull: the image is absent, or imagePullPolicy Always · error: another waiting reason · *: exposed, reused although no credential of the pod's is recorded for the image. Credentials: what the kubelet would send to the image's registry (none: an anonymous pull).",
    ],
    table: {
      head: [
        'pod/container',
        'image',
        'policy',
        'credentials',
        ...AUDIT_COLUMNS.map((c) => columnTitle(report, c)),
      ],
      rows: report.containers.map((c) => [
        `${where(c)}${c.role === 'regular' ? '' : ` (${c.role})`}`,
        c.image,
        c.imagePullPolicy,
        c.credentials === null
          ? `lookup failed: ${c.credentialError ?? ''}`
          : c.credentials.length === 0
            ? 'none'
            : c.credentials.join(', '),
        ...AUDIT_COLUMNS.map((column) => {
          const d = c.decisions[column];
          return `${d.nextStart}${d.exposed ? '*' : ''}`;
        }),
      ]),
    },
  };
}

function policiesSection(report: AuditReport): AuditSection {
  const counted = (read: (p: AuditReport['policies'][number]) => number) =>
    report.policies.map((p) => String(read(p)));
  return {
    title: 'Per policy',
    paragraphs: [],
    table: {
      head: ['containers', ...report.policies.map((p) => columnTitle(report, p.policy))],
      rows: [
        ...NEXT_STARTS.map((n) => [n, ...counted((p) => p.counts[n])]),
        ['exposed pods', ...counted((p) => p.exposedPods)],
        ['exposed images', ...counted((p) => p.exposedImages)],
      ],
    },
  };
}

/** What a record holds, one source per line: coordinates, uid and the first 12 hex digits of the hash. */
function recorded(image: AuditImage): string {
  if (image.error !== undefined) return `unreadable: ${image.error}`;
  const lines = image.credentials.flatMap((c) => [
    ...(c.nodeWide ? [`${c.key}: node-wide`] : []),
    ...c.secrets.map(
      (s) => `${c.key}: secret ${s.namespace}/${s.name} uid ${s.uid} hash ${s.credentialHash.slice(0, 12)}…`,
    ),
    ...c.serviceAccounts.map((a) => `${c.key}: service account ${a.namespace}/${a.name} uid ${a.uid}`),
  ]);
  if (image.intents.length > 0) lines.push(`intent: ${image.intents.join(', ')}`);
  return lines.length === 0 ? '-' : lines.join('\n');
}

function imagesSection(report: AuditReport): AuditSection {
  return {
    title: 'Images on the node, as the kubelet sees them at start-up',
    paragraphs: [
      'kubelet-pulled: a pulled record · leftover-intent: no record, an intent for one of its names (start-up records it without credentials) · preloaded: neither (every image looks so at first enablement) · unreadable-record: its record does not decode (every check fails safe: pull).',
    ],
    table: {
      head: ['image', 'seen as', 'allowlisted', 'recorded credentials'],
      rows: report.images.map((i) => [
        [i.imageRef, ...i.names].join('\n'),
        i.view,
        i.allowlisted ? 'yes' : 'no',
        recorded(i),
      ]),
    },
  };
}

function otherExposuresSection(report: AuditReport): AuditSection[] {
  const rows = report.policies
    .filter((p) => p.policy !== report.headline.policy)
    .flatMap((p) => p.exposures.map((e) => [columnTitle(report, p.policy), where(e), e.image, e.why]));
  if (rows.length === 0) return [];
  return [
    {
      title: 'Exposures under the other policies',
      paragraphs: [],
      table: { head: ['policy', 'pod/container', 'image', 'why'], rows },
      wrap: [3],
    },
  ];
}

function filesSection(report: AuditReport): AuditSection[] {
  const rows = [
    ...report.unreadableFiles.map((f) => [f.file, `does not decode: ${f.error}`]),
    ...report.danglingIntents.map((i) => [
      i,
      'leftover intent naming no image on the node: the name stays kubelet-pulled',
    ]),
    ...report.recordsWithoutImage.map((r) => [r, 'pulled record of an image not on the node']),
  ];
  if (rows.length === 0) return [];
  return [
    {
      title: 'Other image_manager/ files',
      paragraphs: [],
      table: { head: ['file or name', 'what the kubelet makes of it'], rows },
    },
  ];
}
