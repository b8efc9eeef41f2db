import { classifyProbe } from './self-test-rows';

const err = (name: string) => Object.assign(new Error(`${name}: arn:aws:iam::123456789012:role/secret-ish`), { name });

describe('classifyProbe: what a probe’s answer says about Gatehouse’s permissions', () => {
  it.each([
    [undefined, 'pass'],
    [err('UserNotFoundException'), 'pass'],
    [err('ResourceNotFoundException'), 'pass'],
    [err('InvalidParameterException'), 'pass'],
    [err('NotAuthorizedException'), 'pass'],
    [err('AccessDeniedException'), 'fail'],
    [err('UnrecognizedClientException'), 'fail'],
    [err('Unsupported'), 'skip'],
    [err('TimeoutError'), 'fail'],
  ])('%s → %s', (e, status) => {
    expect(classifyProbe('AdminDisableUser', 'cognito-idp:AdminDisableUser', e).status).toBe(status);
  });

  it('names the denied IAM action and never carries the AWS message', () => {
    const row = classifyProbe('AdminDisableUser', 'cognito-idp:AdminDisableUser', err('AccessDeniedException'));
    expect(row).toMatchObject({ iamAction: 'cognito-idp:AdminDisableUser', detail: expect.stringContaining('cognito-idp:AdminDisableUser') });
    expect(JSON.stringify(row)).not.toContain('arn:aws');
  });
});
