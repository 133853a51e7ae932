// A checkpoint's string metadata (docs/checkpoint.md): safetensors' 8-byte little-endian
// header length, then the JSON header, whose "__metadata__" holds it. Read only after the
// core has accepted the file (Model.fromCheckpoint checks everything), for the one thing the
// page says about a loaded model that the binding does not hand back: which data set it
// was trained on. Anything unreadable is no metadata, never an error.
export function checkpointMetadata(bytes: Uint8Array): Record<string, string> {
  if (bytes.length < 8) return {};
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (len > BigInt(bytes.length - 8)) return {};
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(len))));
    const meta = (header as { __metadata__?: unknown } | null)?.__metadata__;
    if (!meta || typeof meta !== 'object') return {};
    return Object.fromEntries(Object.entries(meta).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}
