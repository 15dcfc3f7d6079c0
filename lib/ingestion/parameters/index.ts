export { NotSecureStringError } from './errors.ts';
export { SecureParameter, staticSecret, type SecretSource, type SecureParameterOptions } from './secure-parameter.ts';
export { SecureStringProvider } from './secure-string-provider.ts';
