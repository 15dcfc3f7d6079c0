export { parseJsonInput, type ParseFailure, type ParsedInput, type ParsedValue } from './json-input.ts';
