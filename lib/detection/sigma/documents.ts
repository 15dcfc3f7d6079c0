import { LineCounter, parseAllDocuments } from 'yaml';
import { printable } from '../../shared/printable.ts';
import { documentTree, YAML_OPTIONS } from '../panther/parse-yaml.ts';
import { YamlFile } from '../panther/yaml-file.ts';
import { SigmaRuleError } from './errors.ts';

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
  /** 1-based line where the document starts (its `---`, or its first line). */
  readonly line: number;
}

/** Documents one file may hold: a correlation and the few rules it reads, with room to spare. */
const MAX_DOCUMENTS = 100;

/**
 * Document markers one file may hold, empty documents included, checked before parsing: the YAML
 * library makes an object of every document, even an empty one.
 */
const MAX_MARKERS = 10_000;

/** A document marker: `---` or `...` at the start of a line, alone or followed by blanks. */
const MARKER = /^(?:---|\.\.\.)(?:[ \t]|\r?$)/gm;

/**
 * The documents of a multi-document YAML file (Sigma puts a correlation rule and the rules it
 * references in one file, separated by `---`), each read as its own {@link YamlFile} with the
 * file's line numbers. Empty documents (a file that starts with `---`, or ends with one, or a
 * document of comments) are skipped. YAML that does not parse is a `PantherDetectionError` at its
 * line; more than {@link MAX_DOCUMENTS} rules or {@link MAX_MARKERS} document markers, a
 * {@link SigmaRuleError}.
 *
 * @example
 * ```ts
 * splitDocuments('title: a\n---\ntitle: b\n', 'x.yml').map((d) => d.line); // [1, 2]
 * ```
 */
export function splitDocuments(text: string, source: string): SigmaDocument[] {
  let markers = 0;
  for (const marker of text.matchAll(MARKER)) {
    if (++markers > MAX_MARKERS) {
      const line = text.slice(0, marker.index).split('\n').length;
      throw new SigmaRuleError(
        `${printable(source)}:${line}: more than ${MAX_MARKERS} YAML document markers in one file`,
      );
    }
  }
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter: lines });
  const documents: SigmaDocument[] = [];
  for (const document of Array.isArray(parsed) ? parsed : []) {
    const tree = documentTree(document, lines, text, source);
    // An empty document (`---` then nothing, or comments only) holds no rule.
    if (tree.root === undefined || (tree.root.kind === 'scalar' && tree.root.value === null)) continue;
    const line = lines.linePos(document.range[0]).line;
    if (documents.length === MAX_DOCUMENTS)
      throw new SigmaRuleError(`${printable(source)}:${line}: more than ${MAX_DOCUMENTS} YAML documents in one file`);
    documents.push({ file: YamlFile.fromTree(tree), line });
  }
  return documents;
}
