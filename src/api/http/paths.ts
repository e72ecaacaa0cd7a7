export const API_PREFIX = '/api/v1';
/** Temporal's codec-server endpoint below API_PREFIX: the UI calls `<endpoint>/decode` and `/encode`. */
export const CODEC_PATH = '/codec';
