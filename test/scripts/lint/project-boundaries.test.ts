// The ESLint rule that keeps lib/'s domains apart, run by ESLint's own RuleTester.
import { join } from 'node:path';
import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import { boundaries } from '../../../scripts/lint/project-boundaries.js';

const root = join(import.meta.dirname, '../../..');
const at = (path: string) => join(root, path);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } });

describe('project/boundaries', () => {
  // RuleTester throws on the first case that does not give what it says.
  it("accepts imports within a domain and through a lower domain's index, refuses the rest", () => {
    tester.run('project/boundaries', boundaries, {
      valid: [
        // Inside a domain, any module.
        { filename: at('lib/pipeline/detect/process-batch.ts'), code: "import { x } from '../dedup/decide.ts';" },
        // Another domain, lower, through its index.
        { filename: at('lib/pipeline/detect/process-batch.ts'), code: "import { x } from '../../detection/index.ts';" },
        { filename: at('lib/detection/engine/catalog.ts'), code: "import { x } from '../../shared/index.ts';" },
        { filename: at('lib/tooling/cli/main.ts'), code: "const m = import('../../config/index.ts');" },
        // Or, for adapters loaded on first use, its aws.ts.
        { filename: at('lib/pipeline/detect/x.ts'), code: "const m = import('../../shared/aws.ts');" },
        // functions/ may import any domain's index.
        { filename: at('functions/detect.ts'), code: "import { x } from '../lib/tooling/index.ts';" },
        // Packages, and files outside lib/ and functions/, are not its business.
        { filename: at('lib/shared/json.ts'), code: "import { x } from '@aws-sdk/client-sqs';" },
        {
          filename: at('test/lib/pipeline/x.test.ts'),
          code: "import { x } from '../../../lib/pipeline/dedup/decide.ts';",
        },
      ],
      invalid: [
        {
          filename: at('lib/pipeline/detect/process-batch.ts'),
          code: "import { x } from '../../detection/engine/catalog.ts';",
          errors: [{ messageId: 'internal' }],
        },
        {
          filename: at('lib/shared/json.ts'),
          code: "export { x } from '../detection/index.ts';",
          errors: [{ messageId: 'upward' }],
        },
        {
          filename: at('lib/detection/engine/catalog.ts'),
          code: "const m = import('../../pipeline/detect/process-batch.ts');",
          errors: [{ messageId: 'internal' }, { messageId: 'upward' }],
        },
        {
          filename: at('functions/detect.ts'),
          code: "export * from '../lib/pipeline/detect/create-handler.ts';",
          errors: [{ messageId: 'internal' }],
        },
        {
          filename: at('lib/config/env.ts'),
          code: "import { x } from '../util/index.ts';",
          errors: [{ messageId: 'unknown' }],
        },
      ],
    });
  });
});
