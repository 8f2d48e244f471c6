/** Secret key of an ACL user's password (the contract of the auth Secret). */
export const passwordKey = (user: string) => `${user}-password`;
