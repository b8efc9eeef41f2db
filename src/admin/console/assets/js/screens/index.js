// Every screen of the console, in navigation order. A screen is one module: { id, title, nav, navPath, match(path)
// → params | null, render(container, params, query) }. A new screen is one import here.
import { approvalsScreen } from './approvals.js';
import { auditScreen } from './audit.js';
import { billingScreen } from './billing.js';
import { providerScreen } from './provider.js';
import { userScreen } from './user.js';
import { usersScreen } from './users.js';

export const SCREENS = [approvalsScreen, usersScreen, userScreen, auditScreen, providerScreen, billingScreen];
