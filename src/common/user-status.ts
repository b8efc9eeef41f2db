/** The onboarding ladder's states, as stored in `auth.user_status`. */
export const USER_STATUSES = [
  'pending_verification',
  'pending_approval',
  'pending_mfa',
  'pending_subscription',
  'active',
  'suspended',
  'disabled',
  'rejected',
] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const AUTH_PROVIDERS = ['local', 'cognito', 'oidc', 'bridge', 'dev'] as const;
export type UserAuthProvider = (typeof AUTH_PROVIDERS)[number];
