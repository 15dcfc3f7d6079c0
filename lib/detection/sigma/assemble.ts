import { MAX_THRESHOLD } from '../engine/constants.ts';
import { MAX_RECORDS_PER_STEP, RECORDS_KEPT_PER_MATCH_NEEDED } from '../engine/correlation.ts';
import type { CorrelationRule, Rule } from '../engine/rule.ts';
import type { Severity } from '../engine/severity.ts';
import type { AuditEvent } from '../openai/audit-event.ts';
import { printable } from '../../shared/printable.ts';
import type { IgnoredKey } from '../panther/compile.ts';
import type { Matcher } from '../panther/matcher.ts';
import { didYouMean } from '../panther/suggest.ts';
import { countRule } from './count-rule.ts';
import { anyOfEventTypes } from './detection.ts';
import { detectionRule } from './detection-rule.ts';
import type { CorrelationDocument, DetectionDocument, SigmaRuleDocument } from './read-document.ts';
import { anyStepRuleId, temporalRules, type TemporalStep } from './temporal-rule.ts';

/** An engine rule and the document it comes from (for the document's tests). */
type Built = Rule<AuditEvent> | CorrelationRule<AuditEvent>;

/**
 * What a file's documents compile to: the engine rules in registration order (a correlation after
 * the rules it reads), which document each registered rule comes from, and what is ignored.
 *
 * @example
 * ```ts
 * const { rules, registered, ignoredKeys }: Assembled = assemble(documents);
 * ```
 */
export interface Assembled {
  readonly rules: readonly Built[];
  /** The documents whose own rule is registered (so they may hold tests), with its id. */
  readonly registered: ReadonlyMap<SigmaRuleDocument, string>;
  readonly ignoredKeys: readonly IgnoredKey[];
}

/** Most matches a correlation step can need and still keep its oldest and newest ones (lib/detection/engine/correlation.ts). */
const MAX_MIN_MATCH_COUNT = MAX_RECORDS_PER_STEP / RECORDS_KEPT_PER_MATCH_NEEDED;

type Reference = CorrelationDocument['section']['rules'][number];

class Assembler {
  readonly #documents: readonly SigmaRuleDocument[];
  readonly #byAlias = new Map<string, SigmaRuleDocument>();
  readonly #rules: Built[] = [];
  readonly #registered = new Map<SigmaRuleDocument, string>();
  readonly #ignored: IgnoredKey[] = [];
  #enabled = true;

  public constructor(documents: readonly SigmaRuleDocument[]) {
    this.#documents = documents;
    const ids = new Map<string, SigmaRuleDocument>();
    for (const doc of documents) {
      for (const alias of doc.header.aliases) {
        const other = this.#byAlias.get(alias.text);
        if (other !== undefined && other !== doc) {
          doc.file.fail(
            alias.site,
            `'${printable(alias.text)}' already names the document at line ${other.header.site.line}`,
          );
        }
        this.#byAlias.set(alias.text, doc);
      }
      const clash = ids.get(doc.header.ruleId);
      if (clash !== undefined) {
        doc.file.fail(
          doc.header.site,
          `rule id ${doc.header.ruleId} is already the id of the document at line ${clash.header.site.line}`,
        );
      }
      ids.set(doc.header.ruleId, doc);
    }
  }

  public assemble(): Assembled {
    const root = this.#root();
    this.#enabled = root.header.info.enabled ?? true;
    const severity = this.#level(root);
    if (root.kind === 'detection') this.#detection(root, true, severity);
    else if (root.section.type === 'temporal' || root.section.type === 'temporal_ordered')
      this.#temporal(root, severity);
    else this.#count(root, severity);
    for (const doc of this.#documents) this.#ignored.push(...doc.ignored);
    return { rules: this.#rules, registered: this.#registered, ignoredKeys: this.#ignored };
  }

  #resolve(doc: CorrelationDocument, reference: Reference): SigmaRuleDocument {
    const target = this.#byAlias.get(reference.text);
    if (target === undefined) {
      return doc.file.fail(
        reference.site,
        `'${printable(reference.text)}' is not the id or name of a rule in this file: a correlation is compiled with the rules it references, from one file${didYouMean(reference.text, [...this.#byAlias.keys()])}`,
      );
    }
    if (target === doc) return doc.file.fail(reference.site, 'a correlation cannot reference itself');
    return target;
  }

  /** The one document nothing references: the rule that alerts. Every other must be reached from it. */
  #root(): SigmaRuleDocument {
    const referenced = new Set<SigmaRuleDocument>();
    for (const doc of this.#documents) {
      if (doc.kind === 'correlation') for (const ref of doc.section.rules) referenced.add(this.#resolve(doc, ref));
    }
    const roots = this.#documents.filter((doc) => !referenced.has(doc));
    const [root, second] = roots;
    if (second !== undefined) {
      return second.file.fail(
        second.header.site,
        `a second rule that no correlation references (the first is at line ${root?.header.site.line}): a file holds one rule, or one correlation and the rules it references`,
      );
    }
    if (root === undefined) {
      const first = this.#documents[0] as SigmaRuleDocument;
      return first.file.fail(first.header.site, 'the correlations of this file reference each other in a cycle');
    }
    const reached = new Set<SigmaRuleDocument>([root]);
    const visit = (doc: SigmaRuleDocument): void => {
      if (doc.kind !== 'correlation') return;
      for (const ref of doc.section.rules) {
        const target = this.#resolve(doc, ref);
        if (reached.has(target)) continue;
        reached.add(target);
        visit(target);
      }
    };
    visit(root);
    const lost = this.#documents.find((doc) => !reached.has(doc));
    if (lost !== undefined) {
      lost.file.fail(lost.header.site, 'the correlations that reference this rule reference each other in a cycle');
    }
    return root;
  }

  #level(root: SigmaRuleDocument): Severity {
    if (root.header.level !== undefined) return root.header.level;
    return root.file.fail(
      { ...root.header.site, path: 'level' },
      "missing: the alert's severity (informational, low, medium, high or critical)",
    );
  }

  /**
   * A rule with the root's `enabled`: a deprecated root disables what it reads too, and a
   * referenced rule's own status does not disable a correlation's step (which would blind it).
   */
  #withEnabled<R extends Built>(rule: R): R {
    if (!this.#enabled) return { ...rule, enabled: false };
    return rule.enabled === false ? { ...rule, enabled: true } : rule;
  }

  /** Emits a document's rule, once. */
  #emit(doc: SigmaRuleDocument, rule: Built): void {
    if (this.#registered.has(doc)) return;
    this.#rules.push(this.#withEnabled(rule));
    this.#registered.set(doc, rule.id);
  }

  #detection(doc: DetectionDocument, createAlert: boolean, severity: Severity): void {
    this.#emit(doc, detectionRule(doc, { createAlert, severity }));
  }

  #generate(doc: CorrelationDocument): boolean {
    return doc.generate?.value ?? false;
  }

  /** The rules an `event_count` or `value_count` counts: rules of this file, not correlations. */
  #members(doc: CorrelationDocument): DetectionDocument[] {
    return doc.section.rules.map((ref) => {
      const target = this.#resolve(doc, ref);
      if (target.kind !== 'detection') {
        return doc.file.fail(
          ref.site,
          `${doc.section.type} counts the events of rules; '${printable(ref.text)}' is a correlation`,
        );
      }
      return target;
    });
  }

  #count(doc: CorrelationDocument, severity: Severity): void {
    const members = this.#members(doc);
    const { section } = doc;
    if (section.threshold > MAX_THRESHOLD) {
      doc.file.fail(
        section.conditionSite ?? section.site,
        `at most ${MAX_THRESHOLD} here: a window counts that many matches exactly`,
      );
    }
    const generate = this.#generate(doc);
    // With `generate: true` the referenced rules also alert on their own (pySigma: "converted as stand-alone rules").
    if (generate) for (const member of members) this.#detection(member, true, member.header.level ?? 'INFO');
    this.#emit(doc, countRule(doc, members, { createAlert: true, severity }));
  }

  #temporal(doc: CorrelationDocument, severity: Severity): void {
    const anyId = anyStepRuleId(doc.header.ruleId);
    const clash =
      doc.section.type === 'temporal' ? this.#documents.find((other) => other.header.ruleId === anyId) : undefined;
    if (clash !== undefined) {
      clash.file.fail(
        clash.header.site,
        `rule id ${anyId} is taken by the signal that lets ${doc.header.ruleId} correlate in any order`,
      );
    }
    const generate = this.#generate(doc);
    const steps = doc.section.rules.map((ref): TemporalStep => {
      const target = this.#resolve(doc, ref);
      if (target.kind === 'detection') {
        this.#detection(target, generate, target.header.level ?? 'INFO');
        const { matcher, eventTypes } = target.detection;
        return { name: ref.text, ruleId: target.header.ruleId, minMatchCount: 1, matcher, eventTypes };
      }
      return this.#chained(doc, ref, target, generate);
    });
    if (doc.section.type === 'temporal_ordered' && steps.length > 2) {
      this.#ignored.push({
        key: 'correlation.rules',
        line: doc.section.rules[0]?.site.line ?? doc.header.site.line,
        reason: `temporal_ordered: the engine requires '${steps.at(-1)?.name}' to match after the others, but not the order among the first ${steps.length - 1}`,
      });
    }
    for (const rule of temporalRules(doc, steps, severity)) {
      if (rule.kind === 'correlation') this.#emit(doc, rule);
      else this.#rules.push(this.#withEnabled(rule));
    }
  }

  /**
   * An `event_count` referenced by a temporal correlation (the specification's chained example:
   * failed logins counted, then a success): a step that needs the count's "N or more" matches of
   * its rules. Exact only when both correlations group by the same fields and share a timespan (the
   * engine then needs N matches, then the last step, within that lookback); anything else is refused.
   */
  #chained(outer: CorrelationDocument, ref: Reference, inner: CorrelationDocument, generate: boolean): TemporalStep {
    const fail = (problem: string): never => outer.file.fail(ref.site, `'${printable(ref.text)}': ${problem}`);
    const { section } = inner;
    if (section.type !== 'event_count')
      fail(`a ${section.type} correlation cannot be a step of another; only an event_count can`);
    const names = (fields: typeof section.groupBy) =>
      fields
        .map((f) => f.name)
        .sort()
        .join(', ');
    if (names(section.groupBy) !== names(outer.section.groupBy)) {
      fail(`its group-by (${names(section.groupBy)}) must be the correlation's (${names(outer.section.groupBy)})`);
    }
    if (section.minutes !== outer.section.minutes) {
      fail(
        `its timespan (${section.minutes}m) must be the correlation's (${outer.section.minutes}m): the engine counts both within one lookback`,
      );
    }
    if (section.threshold > MAX_MIN_MATCH_COUNT) fail(`at most ${MAX_MIN_MATCH_COUNT} matches as a step`);
    if (inner.generate !== undefined) {
      inner.file.fail(
        inner.generate.site,
        "only the outermost correlation's 'generate' applies (the specification: only it defines such metadata)",
      );
    }
    const members = this.#members(inner);
    this.#emit(inner, countRule(inner, members, { createAlert: generate, severity: inner.header.level ?? 'INFO' }));
    const matchers: readonly Matcher[] = members.map((member) => member.detection.matcher);
    return {
      name: ref.text,
      ruleId: inner.header.ruleId,
      minMatchCount: section.threshold,
      matcher: (root, type) => matchers.some((m) => m(root, type)),
      eventTypes: anyOfEventTypes(members.map((member) => member.detection.eventTypes)),
    };
  }
}

/**
 * Puts a file's documents together: finds the rule that alerts (the one document nothing
 * references; every other must be reached from it, and references resolve within the file, by a
 * rule's `id` or `name`), and compiles it with what it reads:
 *
 * - a rule alone: an alerting rule;
 * - `event_count`, `value_count`: a threshold rule over the referenced rules (see `countRule`),
 *   and with `generate: true` the referenced rules as alerting rules too;
 * - `temporal`, `temporal_ordered`: the referenced rules as signals (alerting with `generate:
 *   true`), then the correlation (see `temporalRules`); a referenced `event_count` becomes a step
 *   needing its count.
 *
 * The root must have a `level`; referenced rules without one are INFO. The root's `status:
 * deprecated` disables everything compiled from the file.
 *
 * @example
 * ```ts
 * const { rules } = assemble(splitDocuments(text, source).map(({ file }) => readDocument(file)));
 * ```
 */
export function assemble(documents: readonly SigmaRuleDocument[]): Assembled {
  return new Assembler(documents).assemble();
}
