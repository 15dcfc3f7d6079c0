// The shortened reliability run: every scenario that no other scenarios-*.test.ts file runs.
import { OWN_FILES, shortenedRun } from './shortened-run.ts';

const elsewhere = new Set(Object.values(OWN_FILES).flat());
shortenedRun((name) => !elsewhere.has(name));
