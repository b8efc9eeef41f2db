/** Lifetimes and attempt budgets. Codes are short and few-try because six digits are guessable in a million tries. */
export const LOCAL_LIMITS = {
  verificationCodeTtlS: 24 * 3600,
  resetCodeTtlS: 30 * 60,
  codeAttempts: 5,
  challengeTtlS: 5 * 60,
  challengeAttempts: 5,
  recoveryCodes: 10,
  maxPasswordLength: 1024,
  /** An administrator's temporary password works this long (Cognito's default), then only a reset gets in. */
  temporaryPasswordTtlS: 7 * 24 * 3600,
  /**
   * A rotated refresh token presented again this soon, while its successor is unused, is the user's other tab (two
   * tabs refreshing at once), not a thief: it gets the same successor instead of killing the family.
   */
  refreshReuseGraceS: 10,
} as const;

/** The actor named in audit rows written by the local provider's own flows. */
export const LOCAL_ACTOR = 'provider:local';
