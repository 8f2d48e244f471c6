/** The one pin of the Infinispan server the tests and the bench run (Maven Central coordinates). */
export const INFINISPAN = { group: 'org.infinispan', version: '15.0.13.Final' } as const;
