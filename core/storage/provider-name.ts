/** An ExtStorage provider name: one folder name (it is also the first element of an ext disk's logical id). */
export const PROVIDER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
