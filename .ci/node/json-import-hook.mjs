// The workflow parser imports its JSON schemas without an import attribute, which Node 20 rejects.
// This load hook adds `type: "json"` to those imports, as newer Node versions do by themselves.
export async function load(url, context, nextLoad) {
  if (url.endsWith(".json")) {
    const importAttributes = { ...context.importAttributes, type: "json" };
    return nextLoad(url, { ...context, importAttributes });
  }
  return nextLoad(url, context);
}
