export { SCOPE_POLICY_FILE_ENV, loadScopePolicy } from './scope-policy-file.ts';
