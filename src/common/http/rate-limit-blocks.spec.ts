import type { Request, Response } from 'express';
import { RateLimitBlocks } from './rate-limit-blocks';

describe('RateLimitBlocks', () => {
  let blocks: RateLimitBlocks;
  const request = (path: string, ip = '203.0.113.9') => ({ ip, method: 'GET', path }) as Request;
  /** What the middleware does with `req`: the 429's Retry-After, or `next` when it passes. */
  const answer = (req: Request) => {
    const headers: Record<string, string> = {};
    let status = 0;
    const res = {
      setHeader: (name: string, value: string) => (headers[name] = value),
      status: (code: number) => ((status = code), res),
      json: () => res,
    } as unknown as Response;
    let passed = false;
    blocks.answerBlocked(req, res, () => (passed = true));
    return passed ? 'next' : `${status} Retry-After ${headers['Retry-After']}`;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2027-01-01T00:00:00Z') });
    blocks = new RateLimitBlocks();
  });
  afterEach(() => jest.useRealTimers());

  it('answers the same address, method and path 429 with the seconds left, until the block ends', () => {
    blocks.block(request('/api/v1/events/1'), 60);
    jest.advanceTimersByTime(20_500);
    expect(answer(request('/api/v1/events/1'))).toBe('429 Retry-After 40');
    expect(answer(request('/api/v1/events/2'))).toBe('next');
    expect(answer(request('/api/v1/events/1', '198.51.100.7'))).toBe('next');
    jest.advanceTimersByTime(39_500);
    expect(answer(request('/api/v1/events/1'))).toBe('next');
  });

  it('remembers at most 10,000 requests, making room from those whose block ended', () => {
    for (let i = 0; i < 10_000; i++) blocks.block(request(`/api/v1/events/${i}`), i < 5_000 ? 1 : 60);
    blocks.block(request('/api/v1/events/late'), 60);
    expect(answer(request('/api/v1/events/late'))).toBe('next');
    jest.advanceTimersByTime(1_000);
    blocks.block(request('/api/v1/events/late'), 60);
    expect(answer(request('/api/v1/events/late'))).toBe('429 Retry-After 60');
    expect(answer(request('/api/v1/events/9999'))).toBe('429 Retry-After 59');
  });
});
