/**
 * Rule ids of Panther's two login base rules, kept from Panther. The rules themselves are data:
 * `rules/openai/login-failed.yml` and `rules/openai/login-success.yml`, registered by
 * `createRuleCatalog` with the other built-in detections written as data.
 */
export const LOGIN_FAILED_RULE_ID = 'OpenAI.Login.Failed';
export const LOGIN_SUCCESS_RULE_ID = 'OpenAI.Login.Success';
