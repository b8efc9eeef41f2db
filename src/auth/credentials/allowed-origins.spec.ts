import { allowedOrigins } from './allowed-origins';

describe('allowedOrigins', () => {
  it("is CORS_ORIGINS plus Gatehouse's own origin (the console's), as an exact origin without path", () => {
    const set = allowedOrigins({ corsOrigins: ['https://app.example.com'], publicUrl: 'https://auth.example.com/base' });
    expect([...set].sort()).toEqual(['https://app.example.com', 'https://auth.example.com']);
  });

  it('keeps a non-default port and never widens to the host alone', () => {
    const set = allowedOrigins({ corsOrigins: [], publicUrl: 'http://127.0.0.1:3000' });
    expect(set.has('http://127.0.0.1:3000')).toBe(true);
    expect(set.has('http://127.0.0.1')).toBe(false);
    expect(set.has('http://127.0.0.1:3001')).toBe(false);
  });
});
