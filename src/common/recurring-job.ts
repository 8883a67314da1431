import { Logger } from '@nestjs/common';

/**
 * A job run on each tick of an interval, one run at a time in this process: a tick while a run
 * is on its way does nothing, and after `stop` none starts (the run on its way ends first). A
 * failed run is logged as a warning; the next tick tries again.
 */
export class RecurringJob {
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly run: () => Promise<void>,
  ) {}

  /** Starts a run unless one is on its way or the job is stopped; resolves when it ends. */
  tick(): Promise<void> | undefined {
    if (this.running || this.stopped) return undefined;
    this.running = this.run()
      .catch((error: Error) => this.logger.warn(`${this.what} failed, next try soon: ${error.message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
