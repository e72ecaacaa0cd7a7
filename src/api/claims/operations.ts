/** The claim commands GraphQL exposes beside REST: input and access verb once, for both. */
import { addClaimNote, assignClaim, fileClaim, transitionClaim } from '../../domain/claims/commands';
import { idParams } from '../http/common-schemas';
import { operation } from '../http/operation';
import { reopenClaim } from '../../domain/claims/reopen';
import { assignClaimBody, fileClaimBody, noteBody, reopenClaimBody, transitionClaimBody } from './schemas';

export const fileClaimOperation = operation({
  name: 'claims.file',
  verb: 'fileClaim',
  body: fileClaimBody,
  run: fileClaim,
});

export const assignClaimOperation = operation({
  name: 'claims.assign',
  verb: 'assignClaim',
  params: idParams,
  body: assignClaimBody,
  run: assignClaim,
});

export const transitionClaimOperation = operation({
  name: 'claims.transition',
  verb: 'transitionClaim',
  params: idParams,
  body: transitionClaimBody,
  run: transitionClaim,
});

export const reopenClaimOperation = operation({
  name: 'claims.reopen',
  verb: 'reopenClaim',
  params: idParams,
  body: reopenClaimBody,
  run: reopenClaim,
});

export const addClaimNoteOperation = operation({
  name: 'claims.addNote',
  verb: 'addClaimNote',
  params: idParams,
  body: noteBody,
  run: addClaimNote,
});
