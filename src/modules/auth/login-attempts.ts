import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../common/errors/app-error';
import { APP_CONFIG } from '../../config/config.module';
import { AppConfig } from '../../config/env';

/** The longest a phone is ever locked, and how long its lockouts are remembered. */
const MAX_LOCKOUT_S = 86_400;

/**
 * Keeps password guessing slow without letting anyone lock an account out. Wrong passwords are
 * counted per phone and client address, strictly (LOGIN_FAILURES_PER_ADDRESS_MAX a window), and
 * per phone from every address, at a much higher threshold (LOGIN_FAILURES_PER_PHONE_MAX). So
 * other addresses' failures never refuse the owner's right password below the phone's threshold;
 * past it the phone is locked for the window, and each further lockout within a day doubles that,
 * up to a day. An attempt counts before its password is checked, so concurrent guesses cannot
 * overshoot, and is given back when the password was right. Counters live in Redis when
 * REDIS_URL is set, so every API process shares them; keys hold a hash, never a phone in clear.
 */
@Injectable()
export class LoginAttempts implements OnApplicationShutdown {
  private readonly redis?: Redis;
  private readonly byAddress: RateLimiterAbstract;
  private readonly byPhone: RateLimiterAbstract;
  private readonly phoneLockouts: RateLimiterAbstract;
  private readonly perPhoneMax: number;
  private readonly windowSeconds: number;

  constructor(@Inject(APP_CONFIG) { loginFailures, rateLimit }: AppConfig) {
    ({ perPhoneMax: this.perPhoneMax, windowSeconds: this.windowSeconds } = loginFailures);
    if (rateLimit.redisUrl) this.redis = new Redis(rateLimit.redisUrl);
    const limiter = (keyPrefix: string, points: number, duration: number) =>
      this.redis
        ? new RateLimiterRedis({ storeClient: this.redis, keyPrefix, points, duration })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    this.byAddress = limiter('login-failures-address', loginFailures.perAddressMax, this.windowSeconds);
    this.byPhone = limiter('login-failures-phone', this.perPhoneMax, this.windowSeconds);
    // A count of lockouts within a day, raised by penalty(), never consumed: its points do not matter.
    this.phoneLockouts = limiter('login-lockouts-phone', 1, MAX_LOCKOUT_S);
  }

  /**
   * Runs `check`, the password check, unless this address or every address is locked out of
   * `phone` (429 RATE_LIMITED with the seconds to wait); it counts as a failure unless `check`
   * finds the user.
   */
  async attempt<T>(phone: string, address: string, check: () => Promise<T | null>): Promise<T | null> {
    const phoneKey = createHash('sha256').update(phone).digest('base64url');
    const addressKey = `${phoneKey}:${address}`;
    const addressRefusal = await this.byAddress.consume(addressKey).then(() => undefined, refusal);
    if (addressRefusal) {
      throw AppError.rateLimited(seconds(addressRefusal), 'Too many failed logins for this phone from this address');
    }
    const phoneRefusal = await this.byPhone.consume(phoneKey).then(() => undefined, refusal);
    if (phoneRefusal) {
      await this.byAddress.reward(addressKey);
      throw AppError.rateLimited(await this.lockout(phoneKey, phoneRefusal), 'Too many failed logins for this phone');
    }
    const user = await check();
    if (user) await Promise.all([this.byAddress.delete(addressKey), this.byPhone.reward(phoneKey)]);
    return user;
  }

  /** Seconds until the phone takes attempts again; the attempt that crossed its threshold locks it. */
  private async lockout(phoneKey: string, phoneRefusal: RateLimiterRes): Promise<number> {
    if (phoneRefusal.consumedPoints !== this.perPhoneMax + 1) return seconds(phoneRefusal);
    const { consumedPoints: lockouts } = await this.phoneLockouts.penalty(phoneKey);
    const lockSeconds = Math.min(this.windowSeconds * 2 ** (lockouts - 1), MAX_LOCKOUT_S);
    await this.byPhone.block(phoneKey, lockSeconds);
    return lockSeconds;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit();
  }
}

/** A limiter's refusal; anything else it throws (its store failing) goes on. */
function refusal(error: unknown): RateLimiterRes {
  if (error instanceof RateLimiterRes) return error;
  throw error;
}

function seconds({ msBeforeNext }: RateLimiterRes): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}
