// The user page's sections, in order. Each is { id, title, render(ctx) → node | null } with ctx = { user, etag,
// name, reload(message) }. Sessions, the audit tab and the diagnosis load from their own API calls (async-section.js).
import { actionsSection } from './actions.js';
import { auditSection } from './audit.js';
import { diagnosisSection } from './diagnosis.js';
import { blocksSection, ladderSection, mfaSection, profileSection, providerSection } from './facts.js';
import { sessionsSection } from './sessions.js';

export const USER_SECTIONS = [
  profileSection,
  ladderSection,
  blocksSection,
  mfaSection,
  providerSection,
  diagnosisSection,
  actionsSection,
  sessionsSection,
  auditSection,
];
