// Reads a table's JSON text the way an administrator needs to hear about it: every syntax error
// with its line and column, and the line each list entry starts on (so a finding can point at its
// row). jsonc-parser (the parser behind VS Code's JSON support) keeps going after an error and
// gives offsets; JSON.parse stops at the first error and, on Node 20, often gives no position.
import { type ParseError, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';

export interface SourcePosition {
  line: number;
  column: number;
}

export interface JsonSyntaxError extends SourcePosition {
  message: string;
}

export interface JsonSource {
  /** The parsed value; undefined when the text has a syntax error. */
  value?: unknown;
  /** What the parser made of the text despite its errors, so the entries it could read are checked
   * too and every problem of the file is listed at once. */
  recovered?: unknown;
  syntaxErrors: JsonSyntaxError[];
  /** The line each entry of a top-level list starts on (1-based), by entry index. */
  entryLines: number[];
}

// What each parser error means to someone editing a table by hand, and how to fix it.
const EXPLANATIONS: Partial<Record<string, string>> = {
  ValueExpected:
    'a value is missing here; JSON allows no comma after the last entry of a list or object: remove it',
  CommaExpected: 'a comma is missing between two entries: add one',
  ColonExpected: 'a colon is missing between a field name and its value: add one',
  PropertyNameExpected:
    'a field name in double quotes is expected here (no comma after the last field)',
  CloseBracketExpected: 'the list is not closed: add the missing "]"',
  CloseBraceExpected: 'the object is not closed: add the missing "}"',
  EndOfFileExpected:
    'there is text after the end of the table: remove it or move it inside the list',
  InvalidSymbol: 'this is not JSON: texts need double quotes, and true/false/null are lower case',
  UnexpectedEndOfString: 'a text is not closed: add the missing double quote',
  InvalidCommentToken: 'JSON has no comments: remove it',
};

export function readJsonSource(text: string): JsonSource {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const lineStarts = lineStartsOf(text);
  const at = (offset: number): SourcePosition => positionOf(lineStarts, offset);
  const syntaxErrors = errors.map((error) => {
    const code = printParseErrorCode(error.error);
    return { ...at(error.offset), message: EXPLANATIONS[code] ?? `JSON syntax error (${code})` };
  });
  if (text.trim() === '') {
    syntaxErrors.push({
      line: 1,
      column: 1,
      message: 'the file is empty: it must hold a JSON list',
    });
  }
  const entryLines =
    tree?.type === 'array' ? (tree.children ?? []).map((entry) => at(entry.offset).line) : [];
  if (syntaxErrors.length > 0) {
    return { syntaxErrors, entryLines, ...(tree ? { recovered: getNodeValue(tree) } : {}) };
  }
  return { value: JSON.parse(text) as unknown, syntaxErrors, entryLines };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] === '\n') starts.push(index + 1);
  }
  return starts;
}

function positionOf(lineStarts: number[], offset: number): SourcePosition {
  let line = 0;
  while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? Infinity) <= offset) line += 1;
  return { line: line + 1, column: offset - (lineStarts[line] ?? 0) + 1 };
}
