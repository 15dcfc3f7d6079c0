// The shortened reliability run: the scenarios this file is named for in OWN_FILES.
import { OWN_FILES, shortenedRun } from './shortened-run.ts';

const mine = new Set(OWN_FILES['scenarios-worker-kills.test.ts'] ?? []);
shortenedRun((name) => mine.has(name));
