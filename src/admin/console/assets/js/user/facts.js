// The read-only sections of the user page.
import { facts, h } from '../dom.js';
import { when, words, yesNo } from '../format.js';

export const profileSection = {
  id: 'profile',
  title: 'Profile',
  render: ({ user }) =>
    facts([
      ['Name', user.fullName || '(no name)'],
      ['Email', user.email],
      ['Email verified', yesNo(user.emailVerified)],
      ['Id', user.id],
      ['Role', user.role],
      ['Provider', user.provider],
      ['Created', when(user.createdAt)],
      ['Updated', when(user.updatedAt)],
    ]),
};

/** The ladder as a timeline: each rung done (with when) or still open; the status and the step it waits for. */
export const ladderSection = {
  id: 'ladder',
  title: 'Onboarding',
  render: ({ user }) => {
    const p = user.progress;
    const steps = [
      ['Email verified', p.emailVerifiedAt],
      ['Approved', p.approvedAt, p.approvedBy ? `by ${p.approvedBy}` : ''],
      ['Second factor enrolled', p.mfaEnrolledAt],
      ['Subscription', p.entitled ? 'entitled' : null],
    ];
    return h(
      'div',
      {},
      facts([
        ['Status', h('strong', { 'data-testid': 'user-status' }, words(user.status))],
        ['Waiting for', user.waitingFor ? words(user.waitingFor) : 'nothing'],
      ]),
      h('ol', { class: 'ladder', 'aria-label': 'Onboarding steps' }, steps.map(([label, at, extra]) =>
        h('li', { class: at ? 'done' : '' }, `${label}: `, at ? `done${at === 'entitled' ? '' : ` ${when(at)}`}` : 'not yet', extra ? ` ${extra}` : ''))),
    );
  },
};

export const blocksSection = {
  id: 'blocks',
  title: 'Blocks',
  render: ({ user }) =>
    user.blocks.length === 0
      ? h('p', {}, 'Not blocked.')
      : h('ul', {}, user.blocks.map((b) =>
          h('li', {}, h('strong', {}, words(b.kind)), ` by ${b.by} on ${when(b.at)}`, b.until ? `, until ${when(b.until)}` : '', '. Reason: ', h('q', {}, b.reason ?? '—')))),
};

export const mfaSection = {
  id: 'mfa',
  title: 'Second factor',
  render: ({ user }) =>
    facts([
      ['Enrolled', yesNo(user.mfa.enrolled)],
      ['Method', user.mfa.method ?? 'none'],
      ['Required by an administrator', yesNo(user.mfa.required)],
    ]),
};

/** The provider's own record (Cognito Enabled/UserStatus, the local lock), or why it could not be read. */
export const providerSection = {
  id: 'provider-view',
  title: "The provider's view",
  render: ({ user }) => {
    const v = user.providerView;
    if (!v.available) return h('p', {}, `The provider could not be asked (${v.code}).`);
    return facts([
      ['Enabled', yesNo(v.enabled)],
      ['Provider status', v.status ?? '—'],
      ['Email verified there', yesNo(v.emailVerified)],
      ['Factors', v.mfa.length ? v.mfa.join(', ') : 'none'],
      ['Preferred factor', v.preferredMfa ?? '—'],
    ]);
  },
};
