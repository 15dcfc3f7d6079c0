import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../../config/errors.ts';

/**
 * Reads the OpenAI admin key from an SSM Parameter Store SecureString. Errors name the parameter,
 * never its value.
 *
 * @example
 * ```ts
 * const adminKey = await loadAdminKey(new SSMClient({}), '/openai-audit-alerts/admin-key');
 * ```
 */
export async function loadAdminKey(ssm: SSMClient, parameterName: string): Promise<string> {
  let value: string | undefined;
  try {
    const result = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    value = result.Parameter?.Value;
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    throw new ConfigError(`cannot read the admin key from the SSM parameter ${parameterName} (${reason}): create it as a SecureString, and check the function's permissions`);
  }
  if (!value?.trim()) throw new ConfigError(`the SSM parameter ${parameterName} is empty`);
  return value.trim();
}
