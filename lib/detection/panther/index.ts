/**
 * Panther simple detections as data: `compilePantherDetection` turns one Panther simple-detection
 * YAML file into a rule of this engine and its tests. The implementation lives in `compile.ts`
 * (code under lib/ imports that module directly: the project's lint rule forbids importing an
 * index.ts from lib/, see scripts/lint/project-boundaries.js).
 *
 * @example
 * ```ts
 * import { compilePantherDetection, PantherDetectionError } from './lib/detection/panther/index.ts';
 * const { rule, tests } = compilePantherDetection(text, 'detections/scim-disabled.yml');
 * ```
 */
export { compilePantherDetection, type CompiledPantherDetection, type IgnoredKey } from './compile.ts';
export { PantherDetectionError } from './errors.ts';
