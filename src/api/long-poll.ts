/**
 * Set on every /v1/decisions/stream answer of crowdwatch's API: the stream accepts `wait=` and
 * holds a quiet pull open until a decision changes. Its value is the longest wait accepted.
 * Bouncers that see it pull again at once; without it (CrowdSec's API) they poll.
 */
export const LONG_POLL_HEADER = 'x-crowdwatch-long-poll';
