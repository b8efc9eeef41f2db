// Which actions the console offers for a user: the API's own rules (issue #11) read from the user's record, so a
// button that would only earn a 409 is not shown. The API still decides; a refusal is shown as its code.

const BLOCKED = ['suspended', 'disabled', 'rejected'];

/** The ids of the actions an admin (`meId`) may take on `user`; auditors get none. */
export function allowedActions(user, me) {
  if (!me || me.role !== 'admin') return [];
  const self = user.id === me.userId;
  const blocked = (kind) => user.blocks.some((b) => b.kind === kind);
  const out = [];
  if (!self && user.status === 'pending_approval') out.push('approve');
  if (!self && user.progress.emailVerifiedAt && !user.progress.approvedAt && !blocked('rejected')) out.push('reject');
  if (!self && !BLOCKED.includes(user.status)) out.push('suspend');
  if (user.status === 'suspended') out.push('reactivate');
  if (!self && user.status !== 'disabled') out.push('disable');
  if (user.status === 'disabled') out.push('enable');
  if (!user.mfa.required) out.push('require-mfa');
  out.push('reset-password');
  if (!self) out.push('role', 'delete');
  return out;
}
