/** Every route but the probes and metrics lives under this prefix. */
export const API_PREFIX = 'api/v1';
