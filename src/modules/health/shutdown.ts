import { Injectable } from '@nestjs/common';

/** Whether the process is shutting down: from then on it is not ready, though it still serves. */
@Injectable()
export class Shutdown {
  draining = false;
}
