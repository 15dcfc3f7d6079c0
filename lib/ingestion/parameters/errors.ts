/**
 * An SSM parameter that must hold a secret is not a `SecureString` (a `String` is stored and
 * logged in clear by AWS tooling). Thrown before its value is used.
 *
 * @example
 * ```ts
 * if (error instanceof NotSecureStringError) // recreate the parameter with --type SecureString
 * ```
 */
export class NotSecureStringError extends Error {
  public constructor(parameterName: string, type: string) {
    super(
      `the SSM parameter ${parameterName} is a ${type}, not a SecureString: recreate it with --type SecureString (docs/ingestion.md)`,
    );
    this.name = 'NotSecureStringError';
  }
}
