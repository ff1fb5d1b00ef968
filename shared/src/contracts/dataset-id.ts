/**
 * A dataset's id from its project and name: a name-based UUID (version 5 layout, SHA-1), so the same
 * name always means the same dataset without a lookup. Uses Web Crypto, so it runs in browsers too.
 */
export async function datasetIdFor(projectId: string, name: string): Promise<string> {
  const bytes = new Uint8Array(
    await globalThis.crypto.subtle.digest(
      'SHA-1',
      new TextEncoder().encode(`tracehouse-dataset\u0000${projectId}\u0000${name}`),
    ),
  ).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
