import { printable } from '../../shared/printable.ts';
import { SigmaRuleError } from './errors.ts';
import { parseYamlFile } from '../panther/parse-yaml.ts';
import type { YamlFile } from '../panther/yaml-file.ts';

/**
 * One YAML document of a Sigma file, read on its own by the YAML reader shared with the Panther
 * compiler. Its lines are the file's lines: errors name the line in the file as written.
 *
 * @example
 * ```ts
 * for (const { file, line } of splitDocuments(text, 'rules/x.yml')) console.log(line, file.root.line);
 * ```
 */
export interface SigmaDocument {
  readonly file: YamlFile;
  /** 1-based line where the document starts (its `---`, or the file's first line). */
  readonly line: number;
}

/** A document marker: `---` or `...` at the start of a line, alone or followed by blanks. */
const START = /^---(?:[ \t]|\r?$)/;
const END = /^\.\.\.(?:[ \t]|\r?$)/;
/** Lines that hold no content: blank, a comment, or a directive (`%YAML 1.2`, which belongs to the next `---`). */
const NO_CONTENT = /^(?:[ \t]*(?:#.*)?|%.*)\r?$/;

/** Documents one file may hold: a correlation and the few rules it reads, with room to spare. */
const MAX_DOCUMENTS = 100;

/**
 * Splits a multi-document YAML file (Sigma puts a correlation rule and the rules it references in
 * one file, separated by `---`) into its documents, each parsed as its own {@link YamlFile}.
 *
 * Why split the text instead of using the YAML library's multi-document parser: the shared
 * `YamlFile` reads one document, and reporting problems at their line is its job. Each document is
 * handed to it preceded by as many empty lines as came before it, so its lines are the file's.
 * Splitting at a `---` or `...` at the start of a line is exact: YAML forbids those markers at the
 * start of a line inside any scalar. Empty documents (a file that starts with `---`, or ends with
 * one) are skipped; directive lines are kept with the document they precede.
 *
 * @example
 * ```ts
 * splitDocuments('title: a\n---\ntitle: b\n', 'x.yml').map((d) => d.line); // [1, 2]
 * ```
 */
export function splitDocuments(text: string, source: string): SigmaDocument[] {
  const lines = text.split('\n');
  // Where each line starts, to hand a document its text as written (CRLF line ends included).
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const chunks: Array<{ from: number; to: number }> = [];
  let from = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (START.test(line) && i > from) {
      chunks.push({ from, to: i });
      from = i;
    } else if (END.test(line)) {
      chunks.push({ from, to: i + 1 });
      from = i + 1;
    }
  }
  chunks.push({ from, to: lines.length });

  const documents: SigmaDocument[] = [];
  let pending = -1;
  for (const { from: start, to } of chunks) {
    const body = lines.slice(start, to);
    // A marker with nothing after it but blanks and comments holds no rule: skipped unparsed, so
    // a file of thousands of empty documents costs no more than its length.
    const content = body.filter((line, index) => !(index === 0 && (START.test(line) || END.test(line))));
    if (pending < 0 && content.every((line) => NO_CONTENT.test(line) && !line.startsWith('%'))) continue;
    // Directives and comments alone: they belong to the next document (a directive must precede its `---`).
    if (body.every((line) => NO_CONTENT.test(line)) && body.some((line) => line.startsWith('%'))) {
      if (pending < 0) pending = start;
      continue;
    }
    const first = pending < 0 ? start : pending;
    pending = -1;
    const padded = '\n'.repeat(first) + text.slice(starts[first], starts[to] ?? text.length);
    if (documents.length === MAX_DOCUMENTS)
      throw new SigmaRuleError(
        `${printable(source)}:${first + 1}: more than ${MAX_DOCUMENTS} YAML documents in one file`,
      );
    const file = parseYamlFile(padded, source);
    // An empty document (`---` then nothing, or comments only) holds no rule.
    if (file.scalar(file.root) === null) continue;
    documents.push({ file, line: first + 1 });
  }
  return documents;
}
