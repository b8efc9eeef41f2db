import { loadConfig } from './load-config';
import { problemsOf } from '../../test/support/config-problems';

describe('STRIPE_* configuration', () => {
  it('takes several comma-separated whsec_ secrets (a rolled secret keeps working in the overlap)', () => {
    expect(loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_old,whsec_new' }).config.stripe.webhookSecrets).toEqual(['whsec_old', 'whsec_new']);
    expect(loadConfig({}).config.stripe.webhookSecrets).toEqual([]);
  });

  it('stops start-up with one clear line for a secret without whsec_ or carrying whitespace', () => {
    expect(problemsOf({ STRIPE_WEBHOOK_SECRET: 'sk_test_oops' })).toEqual(['STRIPE_WEBHOOK_SECRET must be whsec_… secrets separated by commas']);
    for (const bad of ['whsec_abc\n', ' whsec_abc', 'whsec_a, whsec_b', 'whsec_a b']) {
      const problems = problemsOf({ STRIPE_WEBHOOK_SECRET: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^STRIPE_WEBHOOK_SECRET must not contain whitespace/);
    }
  });

  it('takes the mode from the key, the grace in days, and refuses a foreign API base in production', () => {
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_live_x' }).config.stripe.livemode).toBe(true);
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_test_x' }).config.stripe.livemode).toBe(false);
    expect(loadConfig({}).config.stripe.pastDueGraceDays).toBe(7);
    expect(problemsOf({ STRIPE_PAST_DUE_GRACE_DAYS: '-1' })).toHaveLength(1);
    expect(problemsOf({ STRIPE_SECRET_KEY: 'pk_test_x' })).toHaveLength(1);
    expect(problemsOf({ NODE_ENV: 'production', STRIPE_API_URL: 'http://127.0.0.1:1' }).some((p) => p.startsWith('STRIPE_API_URL'))).toBe(true);
  });
});
