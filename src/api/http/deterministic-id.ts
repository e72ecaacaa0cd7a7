/** The routes not yet moved into src/domain take request-derived IDs from here (src/shared/deterministic-id.ts). */
export { idFromRequest } from '../../shared/deterministic-id';
