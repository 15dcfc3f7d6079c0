import type { Rule } from 'eslint';

/** The domains of lib/, lowest first. */
export declare const DOMAINS: readonly string[];
/** ESLint rule `project/boundaries`. */
export declare const boundaries: Rule.RuleModule;
