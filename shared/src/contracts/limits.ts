/** Size limits every producer and consumer agrees on. Input/output size is the ingest's config. */
export const Limits = {
  nameMaxChars: 256,
  typeMaxChars: 128,
  tagsMax: 64,
  tagKeyMaxChars: 128,
  tagValueMaxChars: 1_024,
  metaMaxKeys: 256,
  metaKeyMaxChars: 256,
  errorMaxChars: 64 * 1024,
  dimensionMaxChars: 256,
  commentMaxChars: 16 * 1024,
  modelMaxChars: 256,
  defaultIoMaxBytes: 1024 * 1024,
} as const;
