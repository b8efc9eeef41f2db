// Every screen of the console, in navigation order. A screen is one module: { id, title, nav, navPath, match(path)
// → params | null, render(container, params, query) }. A new screen (the audit trail, later) is one import here.
import { approvalsScreen } from './approvals.js';
import { billingScreen } from './billing.js';
import { providerScreen } from './provider.js';
import { userScreen } from './user.js';
import { usersScreen } from './users.js';

export const SCREENS = [approvalsScreen, usersScreen, userScreen, providerScreen, billingScreen];
