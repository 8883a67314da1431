/** The largest JSON body the API reads; a larger one is 413 PAYLOAD_TOO_LARGE. */
export const BODY_LIMIT_BYTES = 100 * 1024;
