/**
 * RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret, for tests: the same implementation as the CLI's
 * `totp` command (src/cli/totp-code.ts, on node:crypto, since otplib 13 cannot be loaded under this jest config).
 * cognito-local and real Cognito check the codes with their own implementations.
 */
export { totpCode as totp } from '../../src/cli/totp-code';
