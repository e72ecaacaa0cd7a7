/** Every workflow the worker runs. One file per process; each is re-exported here. */
export { onboarding } from './onboarding';
