// What to tell a person about a thrown value: an Error's message, a string as it is (wasm
// may throw strings), anything else as JSON. The one home of it for the page and the
// workers.
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}
