import { isPublicAddress, webhookUrlProblem } from './webhook-url';

describe(isPublicAddress.name, () => {
  it.each([
    ['public', '8.8.8.8'],
    ['public', '93.184.216.34'],
    ['IPv6 global unicast', '2001:4860:4860::8888'],
    ['IPv4-compatible form of a public address', '::808:808'],
    ['6to4 of a public address', '2002:808:808::1'],
  ])('takes %s %s as public', (_, address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback', '::1'],
    ['private', '10.1.2.3'],
    ['private', '172.16.0.1'],
    ['private', '192.168.1.1'],
    ['link-local (cloud metadata)', '169.254.169.254'],
    ['carrier-grade NAT', '100.64.0.1'],
    ['unspecified', '0.0.0.0'],
    ['reserved for documentation', '192.0.2.1'],
    ['IPv6 unique local', 'fc00::1'],
    ['IPv6 link-local', 'fe80::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['6to4 of a private address', '2002:a00::1'],
    ['IPv4-compatible loopback', '::7f00:1'],
    ['IPv4-compatible link-local (cloud metadata)', '::a9fe:a9fe'],
    ['IPv4-compatible private', '::a00:1'],
    ['IPv6 unspecified', '::'],
    ['NAT64 of loopback', '64:ff9b::7f00:1'],
    ['6to4 of loopback', '2002:7f00:1::1'],
    ['Teredo whose client is loopback', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
    ['IPv6 outside global unicast', '4000::1'],
    ['IPv6 reserved for documentation', '2001:db8::1'],
  ])('refuses %s %s', (_, address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe(webhookUrlProblem.name, () => {
  it.each(['https://shop.example.com/hooks', 'https://93.184.216.34:8443/x', 'https://[2001:4860:4860::8888]/'])(
    'accepts %s in production',
    (url) => {
      expect(webhookUrlProblem(url, false)).toBeNull();
    },
  );

  it.each([
    ['http://shop.example.com/hooks', 'url must be an https URL'],
    ['https://localhost/hooks', 'url must not name a private address or localhost'],
    ['https://api.localhost/hooks', 'url must not name a private address or localhost'],
    ['https://127.0.0.1/hooks', 'url must not name a private address or localhost'],
    ['https://10.0.0.7/hooks', 'url must not name a private address or localhost'],
    ['https://[::1]/hooks', 'url must not name a private address or localhost'],
    ['https://169.254.169.254/latest/meta-data', 'url must not name a private address or localhost'],
    ['https://user:secret@shop.example.com/', 'url must not contain a user name or password'],
    ['shop.example.com/hooks', 'url must be an absolute URL'],
    ['https://[::127.0.0.1]:8443/', 'url must not name a private address or localhost'],
    ['https://[::7f00:1]/', 'url must not name a private address or localhost'],
    ['https://[::a9fe:a9fe]/', 'url must not name a private address or localhost'],
    ['https://shop.example.com/a\r\nX-Injected: 1', 'url must not contain spaces or control characters'],
    ['https://shop.example.com/\thooks', 'url must not contain spaces or control characters'],
    ['https://shop.example.com/hooks here', 'url must not contain spaces or control characters'],
  ])('refuses %s in production: %s', (url, problem) => {
    expect(webhookUrlProblem(url, false)).toBe(problem);
  });

  it('accepts http and private addresses when WEBHOOK_ALLOW_PRIVATE_URLS is true', () => {
    expect(webhookUrlProblem('http://127.0.0.1:4000/hooks', true)).toBeNull();
    expect(webhookUrlProblem('https://localhost/hooks', true)).toBeNull();
  });

  it('refuses a scheme other than http(s) even when private URLs are allowed', () => {
    expect(webhookUrlProblem('ftp://127.0.0.1/hooks', true)).toBe('url must be an http or https URL');
  });
});
