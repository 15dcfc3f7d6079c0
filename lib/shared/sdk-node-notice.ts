/**
 * Hides the AWS SDK's notice, printed at every start under Node 20, that its 2027 releases need
 * Node 22 (the README says so once; repeated, it drowns command output). Other warnings still show.
 *
 * @example
 * ```ts
 * hideSdkNodeVersionNotice(); // first thing in a command-line entry point
 * ```
 */
export function hideSdkNodeVersionNotice(): void {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning: string | Error, ...rest: unknown[]): void => {
    if (String(warning).startsWith('NodeVersionSupportWarning')) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  };
}
