import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { AppError } from '../../common/errors/app-error';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Public } from '../auth/auth.decorators';
import { HealthResponseDto } from './dto/health-response.dto';
import { Shutdown } from './shutdown';

const DATABASE_PING_TIMEOUT_MS = 1_000;
const ALIVE: HealthCheckResult = { status: 'ok', info: {}, error: {}, details: {} };

/** Probes for orchestrators, outside the API prefix: `/health/live` and `/health/ready`. */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly shutdown: Shutdown,
  ) {}

  /**
   * Liveness probe
   * @remarks Public, not rate limited. `200` while the process answers; says nothing of its
   * dependencies. Point restarts here.
   */
  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthResponseDto })
  liveness(): HealthCheckResult {
    return ALIVE;
  }

  /**
   * Readiness probe
   * @remarks Public, not rate limited. `200` when the process can serve: the database answers a
   * ping within a second. `503` when it does not, and from SIGTERM on for `SHUTDOWN_DRAIN_MS` while
   * the process still serves. Point load balancers here.
   */
  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiErrors('SERVICE_UNAVAILABLE')
  async readiness(): Promise<HealthCheckResult> {
    if (this.shutdown.draining) throw AppError.unavailable('Not ready: shutting down');
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: DATABASE_PING_TIMEOUT_MS }),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      throw AppError.unavailable('Not ready: the database does not answer');
    }
  }
}
