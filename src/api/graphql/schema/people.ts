/** People: the caller (`viewer`) and the users a claim or subscription names. */
import type { User } from '../../../models';
import { may } from '../../../access/may';
import { ROLES } from '../../../shared/roles';
import { builder } from '../builder';

export const RoleEnum = builder.enumType('Role', { values: ROLES });

export const Person = builder.objectRef<User>('Person').implement({
  description: 'A user. Staff see the people of their tenant a row names; anyone else only themselves.',
  fields: (t) => ({
    id: t.exposeID('id'),
    fullName: t.exposeString('fullName'),
    role: t.expose('role', { type: RoleEnum }),
    // Only the person themselves and their tenant's admins see an e-mail address (REST's /users).
    email: t.string({
      nullable: true,
      resolve: (user, _args, { caller }) =>
        caller && !caller.apiKey && (caller.id === user.id || may(caller, 'viewUser')) ? user.email : null,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Person,
    nullable: true,
    description: 'The caller; null without a bearer token, and for an API key (a machine, not a person)',
    resolve: (_root, _args, { caller, loaders }) => (caller && !caller.apiKey ? loaders.person.load(caller.id) : null),
  }),
);
