import { printable } from '../../shared/printable.ts';
import type { IgnoredKey } from '../panther/compile.ts';
import { didYouMean } from '../panther/suggest.ts';
import type { Entry, Site, YamlFile } from '../panther/yaml-file.ts';
import { readCorrelationSection, type CorrelationSection } from './correlation-section.ts';
import { compileDetection, type CompiledDetection } from './detection.ts';
import { readNamedField, type NamedField } from './field.ts';
import { SIGMA_KEYS } from './keys.ts';
import { checkLogSource } from './logsource.ts';
import { readHeader, type SigmaHeader } from './metadata.ts';

interface Common {
  readonly file: YamlFile;
  readonly header: SigmaHeader;
  /** The document's `tests` key, when it has one. */
  readonly tests: Entry | undefined;
  readonly ignored: readonly IgnoredKey[];
}

/**
 * A Sigma rule document, read: its metadata, compiled detection and `fields`.
 *
 * @example
 * ```ts
 * if (doc.kind === 'detection') doc.detection.matcher(event.raw, event.type);
 * ```
 */
export interface DetectionDocument extends Common {
  readonly kind: 'detection';
  readonly detection: CompiledDetection;
  /** `fields`: shown to the analyst, in the alert context. */
  readonly fields: readonly NamedField[];
}

/**
 * A Sigma correlation document, read: its metadata and `correlation` section.
 *
 * @example
 * ```ts
 * if (doc.kind === 'correlation') console.log(doc.section.type, doc.generate?.value);
 * ```
 */
export interface CorrelationDocument extends Common {
  readonly kind: 'correlation';
  readonly section: CorrelationSection;
  /** `generate`, top-level (the specification's JSON schema) or in the section (pySigma). */
  readonly generate: { readonly value: boolean; readonly site: Site } | undefined;
}

/**
 * One document of a Sigma file, read.
 *
 * @example
 * ```ts
 * const docs: SigmaRuleDocument[] = splitDocuments(text, source).map(({ file }) => readDocument(file));
 * ```
 */
export type SigmaRuleDocument = DetectionDocument | CorrelationDocument;

const KNOWN = [...SIGMA_KEYS.keys()];
const DETECTION_ONLY = ['logsource', 'detection', 'fields'];

/** Every key known (else an error naming it, with a suggestion); those without effect returned, with why. */
function checkKeys(file: YamlFile, entries: readonly Entry[]): IgnoredKey[] {
  // SIGMA_KEYS refuses no key outright: what a key may not say is checked where it is read.
  return entries.flatMap((entry) => {
    const treatment = SIGMA_KEYS.get(entry.key);
    if (treatment === undefined) {
      return file.fail(entry.keySite, `unknown key '${printable(entry.key)}'${didYouMean(entry.key, KNOWN)}`);
    }
    return treatment.kind === 'ignored' ? [{ key: entry.key, line: entry.keySite.line, reason: treatment.reason }] : [];
  });
}

function readGenerate(
  file: YamlFile,
  entry: Entry | undefined,
  section: CorrelationSection,
): CorrelationDocument['generate'] {
  if (entry !== undefined && section.generate !== undefined) {
    return file.fail(entry.keySite, "'generate' is given twice: at the top and in the correlation section; keep one");
  }
  if (entry === undefined) return section.generate;
  const value = file.scalar(entry.value);
  if (typeof value !== 'boolean')
    return file.fail(entry.value, `expected true or false, got ${file.describe(entry.value)}`);
  return { value, site: entry.value };
}

/**
 * Reads one YAML document of a Sigma file: a rule (`logsource` and `detection`) or a correlation
 * rule (`correlation`), its metadata, and its `tests` key. Every key is known (see `SIGMA_KEYS`)
 * and belongs to the document's kind; ignored keys are returned with the reason.
 *
 * @example
 * ```ts
 * const doc = readDocument(file);
 * doc.header.ruleId; // 'Sigma.5638f7c0-ac70-491d-8465-2a65075e0d86'
 * ```
 */
export function readDocument(file: YamlFile): SigmaRuleDocument {
  const entries = file.entries(file.root, 'a mapping of Sigma rule keys');
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));
  const get = (key: string): Entry | undefined => byKey.get(key);
  const ignored = checkKeys(file, entries);
  const header = readHeader(file, get);
  const tests = get('tests');
  const correlation = get('correlation');
  if (correlation !== undefined) {
    for (const key of DETECTION_ONLY) {
      const entry = get(key);
      if (entry !== undefined) {
        file.fail(
          entry.keySite,
          `a correlation rule has no '${key}': the rules it references have (one document each)`,
        );
      }
    }
    const section = readCorrelationSection(file, correlation.value);
    return {
      kind: 'correlation',
      file,
      header,
      tests,
      ignored: [...ignored, ...header.ignored],
      section,
      generate: readGenerate(file, get('generate'), section),
    };
  }
  const generate = get('generate');
  if (generate !== undefined) file.fail(generate.keySite, "'generate' belongs to a correlation rule");
  const logsource = get('logsource');
  if (logsource === undefined) {
    return file.fail(
      { ...file.root, path: 'logsource' },
      'missing: `logsource: { product: openai, service: audit }` (or a `correlation` section)',
    );
  }
  const logsourceIgnored = checkLogSource(file, logsource.value);
  const detection = get('detection');
  if (detection === undefined)
    return file.fail({ ...file.root, path: 'detection' }, 'missing: the selections and their condition');
  const fields = get('fields');
  return {
    kind: 'detection',
    file,
    header,
    tests,
    ignored: [...ignored, ...header.ignored, ...logsourceIgnored],
    detection: compileDetection(file, detection.value),
    fields:
      fields === undefined
        ? []
        : file.items(fields.value, 'a list of field names').map((item) => readNamedField(file, item)),
  };
}
