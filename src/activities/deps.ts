import type { Sequelize } from 'sequelize';
import type { Logger } from '../config/logger';
import type { Mailer } from '../services/mailer';

/** Everything activities may touch, handed in by the worker (or a test). */
export interface ActivityDeps {
  sequelize: Sequelize;
  mailer: Mailer;
  logger: Logger;
  webhookTimeoutMs: number;
  /** Public base URL of the API, for links in messages. */
  apiPublicUrl: string;
}
