/** The claim commands as the API exposes them: roles and input once, for REST and GraphQL alike. */
import { ASSIGNER_ROLES, HANDLER_ROLES } from '../../contracts/claim';
import { addClaimNote, assignClaim, fileClaim, transitionClaim } from '../../domain/claims/commands';
import { STAFF_ROLES } from '../../shared/roles';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { reopenClaim } from '../../domain/claims/reopen';
import { assignClaimBody, fileClaimBody, noteBody, reopenClaimBody, transitionClaimBody } from './schemas';

export const fileClaimOperation = operation({
  name: 'claims.file',
  roles: ['policyholder', 'claims_agent'],
  body: fileClaimBody,
  run: fileClaim,
});

export const assignClaimOperation = operation({
  name: 'claims.assign',
  roles: ASSIGNER_ROLES,
  params: idParams,
  body: assignClaimBody,
  run: assignClaim,
});

export const transitionClaimOperation = operation({
  name: 'claims.transition',
  roles: HANDLER_ROLES,
  params: idParams,
  body: transitionClaimBody,
  run: transitionClaim,
});

export const reopenClaimOperation = operation({
  name: 'claims.reopen',
  roles: ASSIGNER_ROLES,
  params: idParams,
  body: reopenClaimBody,
  run: reopenClaim,
});

export const addClaimNoteOperation = operation({
  name: 'claims.addNote',
  roles: STAFF_ROLES,
  params: idParams,
  body: noteBody,
  run: addClaimNote,
});
