export const TEMPLATE_DATABASE = 'insurflow_template';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (global setup starts the servers)`);
  return value;
}
