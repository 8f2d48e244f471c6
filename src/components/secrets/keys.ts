import { Operand, at } from '../../config/expr';
import type { RenderContext, Val } from '../../render/context';
import type { AclUser } from '../redis/contract';

/**
 * File name of an ACL user's password where a pod mounts it (the scripts read <SECRETS_DIR>/<user>-password),
 * and the default Secret key of that password.
 */
export const passwordFile = (user: string) => `${user}-password`;

/** The Secret key of an ACL user's password as an expression (auth.existingSecretKeys.<user>). */
export const passwordKeyOperand = (user: AclUser): Operand<string> => at(`auth.existingSecretKeys.${user}`);

/** Secret key of an ACL user's password in the auth Secret: auth.existingSecretKeys.<user> (the contract of the auth Secret). */
export const passwordKey = (ctx: RenderContext, user: AclUser): Val<string> => ctx.values.auth.existingSecretKeys[user];
