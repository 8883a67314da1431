import { Logger } from '@nestjs/common';
import { RecurringJob } from './recurring-job';

describe(RecurringJob.name, () => {
  const warn = jest.fn();
  const logger = { warn } as unknown as Logger;

  it('runs one at a time: a tick while a run is on its way starts none', async () => {
    let runs = 0;
    let finish = () => undefined as unknown;
    const job = new RecurringJob(logger, 'Counting', () => {
      runs++;
      return new Promise<void>((done) => (finish = done));
    });
    const first = job.tick();
    expect(job.tick()).toBeUndefined();
    finish();
    await first;
    const second = job.tick();
    finish();
    await second;
    expect(runs).toBe(2);
  });

  it('starts none once stopped, and lets the run on its way end first', async () => {
    let ended = false;
    const job = new RecurringJob(logger, 'Ending', async () => {
      await new Promise((done) => setImmediate(done));
      ended = true;
    });
    void job.tick();
    await job.stop();
    expect(ended).toBe(true);
    expect(job.tick()).toBeUndefined();
  });

  it('logs a failed run as a warning and runs again on the next tick', async () => {
    let runs = 0;
    const job = new RecurringJob(logger, 'Failing', () => {
      runs++;
      return Promise.reject(new Error('no database'));
    });
    await job.tick();
    await job.tick();
    expect(runs).toBe(2);
    expect(warn).toHaveBeenCalledWith('Failing failed, next try soon: no database');
  });
});
