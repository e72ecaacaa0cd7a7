import { email } from '../http/common-schemas';
import { object, required } from '../../shared/typed-schema';

export const staffEmailBody = object({ email: required(email) }).label('StaffEmailChange');
