/**
 * The API's modules take the one error factory from here. It lives in src/shared so that the
 * commands of src/domain, which the routes call, throw the same errors without importing the API.
 */
export * from '../../shared/errors';
