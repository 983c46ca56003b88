/** Ganeti's CLI exit codes (constants.EXIT_*). */
export const EXIT = Object.freeze({
  SUCCESS: 0,
  FAILURE: 1,
  NOTCLUSTER: 5,
  NOTMASTER: 11,
  NODESETUP: 12,
  CONFIRMATION: 13,
  UNKNOWN_FIELD: 14,
} as const);
