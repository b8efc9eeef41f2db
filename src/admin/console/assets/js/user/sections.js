// The user page's sections, in order. Each is { id, title, render(ctx) → node | null } with ctx = { user, etag,
// name, reload(message) }. Phase 2 adds sessions, the audit tab and the diagnosis here, one module each.
import { actionsSection } from './actions.js';
import { blocksSection, ladderSection, mfaSection, profileSection, providerSection } from './facts.js';

export const USER_SECTIONS = [profileSection, ladderSection, blocksSection, mfaSection, providerSection, actionsSection];
