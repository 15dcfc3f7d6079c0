import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { NotSecureStringError } from './errors.ts';

/**
 * Powertools' SSM provider (its cache and max age) that accepts only `SecureString` parameters:
 * the value is always decrypted, and any other type is a {@link NotSecureStringError}.
 *
 * @example
 * ```ts
 * const provider = new SecureStringProvider({ awsSdkV3Client: new SSMClient({}) });
 * const key = await provider.get('/openai-audit-alerts/admin-key', { maxAge: 300 });
 * ```
 */
export class SecureStringProvider extends SSMProvider {
  protected override async _get(name: string): Promise<string | undefined> {
    const { Parameter } = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (Parameter === undefined) return undefined;
    if (Parameter.Type !== 'SecureString')
      throw new NotSecureStringError(name, Parameter.Type ?? 'parameter of unknown type');
    return Parameter.Value;
  }
}
