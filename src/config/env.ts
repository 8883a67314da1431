import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { firstBrokenRule } from '../common/first-broken-rule';
import { plainToInstance, Type } from 'class-transformer';
import {
  getMetadataStorage,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MinLength,
  Min,
  validateSync,
} from 'class-validator';

/** What the migration CLI and the seed script read: the database, nothing else. */
class DatabaseVariables {
  /** A file of `NAME=value` lines read at start outside production; the environment wins over it. */
  @IsOptional()
  @IsString()
  ENV_FILE?: string;

  /** PostgreSQL URL; when unset outside production an embedded PostgreSQL is started. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;
}

/**
 * Every environment variable the API reads, with its bounds and default.
 * This file is the only place that reads `process.env`.
 */
class EnvironmentVariables extends DatabaseVariables {
  /** `production` requires DATABASE_URL and JWT_SECRET. */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** JSON log lines at this level and above, on stdout. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @IsString()
  HOST = '0.0.0.0';

  /** Longest a client may take to send a whole request, headers and body; a slower one gets 408. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** Longest a client may take to send a request's headers; a slower one gets 408. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** How long an idle keep-alive connection stays open: above the load balancer's idle timeout. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 65_000;

  /** Open connections one process accepts; further ones are closed at once. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  HTTP_MAX_CONNECTIONS = 1000;

  /**
   * On SIGTERM, how long `/health/ready` answers 503 while every other request is still served,
   * before the listener closes: time for a load balancer to stop sending traffic. Default: 5000
   * in production, 0 otherwise.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300_000)
  SHUTDOWN_DRAIN_MS?: number;

  /**
   * Comma-separated origins allowed to call the API from a browser (CORS). Unset: in development
   * any port of localhost and 127.0.0.1, elsewhere none.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of http(s) origins',
  })
  CORS_ORIGINS?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** A statement running longer is cancelled; the request answers 503. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DATABASE_STATEMENT_TIMEOUT_MS = 10_000;

  /** A wait for a row lock longer than this gives up; the request answers 503. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DATABASE_LOCK_TIMEOUT_MS = 5_000;

  /** Waiting for a connection (new, or free in the pool) gives up after this; the request answers 503. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  DATABASE_CONNECT_TIMEOUT_MS = 5_000;

  /** Where the embedded PostgreSQL keeps its data between `npm start` runs. */
  @IsString()
  EMBEDDED_POSTGRES_DIR = '.data/postgres';

  /** HMAC secret for access tokens; at least 32 characters. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  JWT_SECRET?: string;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3600)
  JWT_EXPIRES_IN_SECONDS = 3600;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  BOOKING_MAX_QUANTITY = 10;

  /** How long a checkout hold keeps its seats; they are free again within 5 seconds after. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  HOLD_TTL_SECONDS = 600;

  /** How long a waiting-list offer keeps its seats for the person offered them. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(604_800)
  WAITLIST_OFFER_TTL_SECONDS = 3600;

  /** How long before its event a customer can no longer cancel (and be refunded) a paid order or its bookings. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  REFUND_CUTOFF_SECONDS = 0;

  /** `stripe` takes payment for priced orders (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET required); `none` lets buyers confirm them. */
  @IsIn(['none', 'stripe'])
  PAYMENT_PROVIDER: 'none' | 'stripe' = 'none';

  /** Stripe's secret API key (`sk_live_...`, `sk_test_...`). */
  @IsOptional()
  @IsString()
  STRIPE_SECRET_KEY?: string;

  /** The signing secret of the webhook endpoint registered in Stripe's dashboard (`whsec_...`). */
  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  /** Where the Stripe SDK sends its requests (protocol, host, port): stripe-mock or a test double. Unset: Stripe's own. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+\/?$/, {
    message: 'STRIPE_API_URL must be an http(s) origin, such as http://127.0.0.1:12111',
  })
  STRIPE_API_URL?: string;

  /** ISO 4217 code, lower case, that orders are charged in. */
  @Matches(/^[a-z]{3}$/, { message: 'PAYMENT_CURRENCY must be a lower-case ISO 4217 code, such as thb' })
  PAYMENT_CURRENCY = 'thb';
  /** `true` lets webhook URLs be `http` and private addresses (127.0.0.1, 10.x, ...): development and tests only. */
  @IsIn(['true', 'false'])
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true' | 'false' = 'false';
  /** Wait before a failed webhook delivery's first retry; each next wait doubles, up to 10 hours. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  WEBHOOK_RETRY_BASE_MS = 5000;
  /** Attempts of one webhook delivery before it fails; the defaults retry for 31 hours. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(30)
  WEBHOOK_MAX_ATTEMPTS = 16;

  /** `false` where an API gateway in front already limits requests (and for benchmarks from one address). */
  @IsIn(['true', 'false'])
  RATE_LIMIT_ENABLED: 'true' | 'false' = 'true';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** Requests per client address per window, on every route. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_MAX = 600;

  /** Login attempts per client address per window. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_RATE_LIMIT_MAX = 10;

  /** Wrong passwords for one phone from one client address per failure window; then that address waits. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_FAILURES_PER_ADDRESS_MAX = 5;

  /** Wrong passwords for one phone from all addresses per failure window; then the phone is locked. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_FAILURES_PER_PHONE_MAX = 100;

  /** The window wrong passwords are counted in, and the first lockout of a phone (each next one doubles). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  LOGIN_FAILURE_WINDOW_SECONDS = 900;

  /** Where rate limit counters live, shared by every API process; in each process's memory when unset. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Proxies in front of the API whose X-Forwarded-For is trusted for the client address (0: none). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS = 0;
}

export interface AppConfig {
  env: EnvironmentVariables['NODE_ENV'];
  http: HttpConfig;
  logLevel: EnvironmentVariables['LOG_LEVEL'];
  database: DatabaseConfig;
  jwt: { secret: string; expiresInSeconds: number; secretGenerated: boolean };
  bookings: { maxQuantity: number };
  holds: { ttlSeconds: number };
  orders: { refundCutoffSeconds: number };
  payments: PaymentsConfig;
  waitlist: { offerTtlSeconds: number };
  webhooks: WebhooksConfig;
  rateLimit: {
    enabled: boolean;
    windowSeconds: number;
    max: number;
    loginMax: number;
    redisUrl?: string;
  };
  loginFailures: { perAddressMax: number; perPhoneMax: number; windowSeconds: number };
}

export interface HttpConfig {
  port: number;
  host: string;
  /** Browser origins allowed; in development without CORS_ORIGINS, any port of localhost and 127.0.0.1. */
  corsOrigins: (string | RegExp)[];
  trustProxyHops: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  shutdownDrainMs: number;
}

export interface PaymentsConfig {
  provider: 'none' | 'stripe';
  currency: string;
  stripe?: { secretKey: string; webhookSecret: string; apiUrl?: URL };
}

export interface WebhooksConfig {
  allowPrivateUrls: boolean;
  retryBaseMs: number;
  maxAttempts: number;
}

export interface DatabaseConfig {
  url?: string;
  poolSize: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  embeddedDir: string;
}

export class ConfigError extends Error {}

/** A frontend's dev server, on any port of this machine. */
const LOCAL_ORIGINS = [/^http:\/\/localhost(:\d+)?$/, /^http:\/\/127\.0\.0\.1(:\d+)?$/];

/** The names of every environment variable the API reads, for deployment files to be checked against. */
export function environmentVariableNames(): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metadata.map((rule) => rule.propertyName))];
}

/** Reads, validates and types the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const { vars, problems } = validated(EnvironmentVariables, env);
  if (vars.NODE_ENV === 'production') {
    if (!vars.DATABASE_URL) problems.push('DATABASE_URL is required in production');
    if (!vars.JWT_SECRET) problems.push('JWT_SECRET is required in production');
  }
  if (vars.PAYMENT_PROVIDER === 'stripe') {
    if (!vars.STRIPE_SECRET_KEY) problems.push('STRIPE_SECRET_KEY is required with PAYMENT_PROVIDER=stripe');
    if (!vars.STRIPE_WEBHOOK_SECRET) problems.push('STRIPE_WEBHOOK_SECRET is required with PAYMENT_PROVIDER=stripe');
  }
  if (vars.HTTP_HEADERS_TIMEOUT_MS > vars.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not be greater than HTTP_REQUEST_TIMEOUT_MS');
  }
  assertValid(problems);
  return {
    env: vars.NODE_ENV,
    http: {
      port: vars.PORT,
      host: vars.HOST,
      corsOrigins: vars.CORS_ORIGINS?.split(',') ?? (vars.NODE_ENV === 'development' ? LOCAL_ORIGINS : []),
      trustProxyHops: vars.TRUST_PROXY_HOPS,
      requestTimeoutMs: vars.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: vars.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: vars.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: vars.HTTP_MAX_CONNECTIONS,
      shutdownDrainMs: vars.SHUTDOWN_DRAIN_MS ?? (vars.NODE_ENV === 'production' ? 5000 : 0),
    },
    logLevel: vars.LOG_LEVEL,
    database: {
      url: vars.DATABASE_URL,
      poolSize: vars.DATABASE_POOL_SIZE,
      statementTimeoutMs: vars.DATABASE_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: vars.DATABASE_LOCK_TIMEOUT_MS,
      connectTimeoutMs: vars.DATABASE_CONNECT_TIMEOUT_MS,
      embeddedDir: vars.EMBEDDED_POSTGRES_DIR,
    },
    jwt: {
      secret: vars.JWT_SECRET ?? randomBytes(32).toString('base64url'),
      secretGenerated: vars.JWT_SECRET === undefined,
      expiresInSeconds: vars.JWT_EXPIRES_IN_SECONDS,
    },
    bookings: { maxQuantity: vars.BOOKING_MAX_QUANTITY },
    holds: { ttlSeconds: vars.HOLD_TTL_SECONDS },
    orders: { refundCutoffSeconds: vars.REFUND_CUTOFF_SECONDS },
    payments: {
      provider: vars.PAYMENT_PROVIDER,
      currency: vars.PAYMENT_CURRENCY,
      stripe:
        vars.PAYMENT_PROVIDER === 'stripe'
          ? {
              secretKey: vars.STRIPE_SECRET_KEY!,
              webhookSecret: vars.STRIPE_WEBHOOK_SECRET!,
              apiUrl: vars.STRIPE_API_URL ? new URL(vars.STRIPE_API_URL) : undefined,
            }
          : undefined,
    },
    waitlist: { offerTtlSeconds: vars.WAITLIST_OFFER_TTL_SECONDS },
    webhooks: {
      allowPrivateUrls: vars.WEBHOOK_ALLOW_PRIVATE_URLS === 'true',
      retryBaseMs: vars.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: vars.WEBHOOK_MAX_ATTEMPTS,
    },
    rateLimit: {
      enabled: vars.RATE_LIMIT_ENABLED === 'true',
      windowSeconds: vars.RATE_LIMIT_WINDOW_SECONDS,
      max: vars.RATE_LIMIT_MAX,
      loginMax: vars.LOGIN_RATE_LIMIT_MAX,
      redisUrl: vars.REDIS_URL,
    },
    loginFailures: {
      perAddressMax: vars.LOGIN_FAILURES_PER_ADDRESS_MAX,
      perPhoneMax: vars.LOGIN_FAILURES_PER_PHONE_MAX,
      windowSeconds: vars.LOGIN_FAILURE_WINDOW_SECONDS,
    },
  };
}

/**
 * DATABASE_URL for the migration CLI and the seed script, which read nothing else: settings of
 * the API (JWT_SECRET in production, CORS_ORIGINS, NODE_ENV) never stand in their way.
 */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { vars, problems } = validated(DatabaseVariables, env);
  assertValid(problems);
  return vars.DATABASE_URL;
}

/** `env` read into `type`, empty variables as unset, with one problem per bad variable. */
function validated<T extends object>(type: new () => T, env: NodeJS.ProcessEnv) {
  const defined = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const vars = plainToInstance(type, defined);
  const problems = validateSync(vars).flatMap((error) => firstBrokenRule(error) ?? []);
  return { vars, problems };
}

function assertValid(problems: string[]): void {
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
}

/**
 * Outside production, sets the variables of ENV_FILE (default `.env`, if it exists) that the
 * environment does not set itself. Called by each entry point before it loads its configuration.
 */
export function readEnvFile(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === 'production') return;
  const file = env.ENV_FILE || '.env';
  if (!existsSync(file)) return;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) env[name] ??= value;
}
