/** The architectures buildModel builds: the one list the config schema, its types and the CLI derive from. */
export const MODEL_KINDS = ['mlp', 'cnn'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
