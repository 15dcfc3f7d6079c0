// The ESLint rule that keeps lib/'s domains in order, run by ESLint's own RuleTester.
import { join } from 'node:path';
import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import { boundaries } from '../../../scripts/lint/project-boundaries.js';

const root = join(import.meta.dirname, '../../..');
const at = (path: string) => join(root, path);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } });

describe('project/boundaries', () => {
  // RuleTester throws on the first case that does not give what it says.
  it('accepts imports within a domain and of lower domains, refuses upward imports and barrels', () => {
    tester.run('project/boundaries', boundaries, {
      valid: [
        { filename: at('lib/pipeline/detect/process-batch.ts'), code: "import { x } from '../dedup/decide.ts';" },
        {
          filename: at('lib/pipeline/detect/process-batch.ts'),
          code: "import { x } from '../../detection/engine/catalog.ts';",
        },
        { filename: at('lib/tooling/cli/main.ts'), code: "const m = import('../../config/env.ts');" },
        // functions/ may import any domain.
        { filename: at('functions/detect.ts'), code: "import { x } from '../lib/tooling/cli/main.ts';" },
        // Packages, and files outside lib/ and functions/, are not its business.
        { filename: at('lib/shared/json.ts'), code: "import { x } from '@aws-sdk/client-sqs';" },
        { filename: at('test/lib/pipeline/x.test.ts'), code: "import { x } from '../../../lib/tooling/cli/main.ts';" },
      ],
      invalid: [
        {
          filename: at('lib/shared/json.ts'),
          code: "export { x } from '../detection/engine/catalog.ts';",
          errors: [{ messageId: 'upward' }],
        },
        {
          filename: at('lib/detection/engine/catalog.ts'),
          code: "const m = import('../../pipeline/detect/process-batch.ts');",
          errors: [{ messageId: 'upward' }],
        },
        {
          filename: at('lib/pipeline/detect/process-batch.ts'),
          code: "import { x } from '../../detection/index.ts';",
          errors: [{ messageId: 'barrel' }],
        },
        {
          filename: at('lib/pipeline/detect/process-batch.ts'),
          code: "export * from '../dedup/index.ts';",
          errors: [{ messageId: 'barrel' }],
        },
        {
          filename: at('lib/config/env.ts'),
          code: "import { x } from '../util/json.ts';",
          errors: [{ messageId: 'unknown' }],
        },
      ],
    });
  });
});
