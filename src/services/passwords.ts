import bcrypt from 'bcryptjs';

/** bcrypt cost 12 (DESIGN §4): about a quarter of a second per hash on these machines. */
export const BCRYPT_COST = 12;

export const hashPassword = (password: string) => bcrypt.hash(password, BCRYPT_COST);
export const verifyPassword = (password: string, hash: string) => bcrypt.compare(password, hash);
