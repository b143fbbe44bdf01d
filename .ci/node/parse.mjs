// Parse action.yml and workflow files with GitHub's own workflow parser; exit 1 on any error.
//
// Usage: node --import ./register-json-hook.mjs parse.mjs FILE...
// A file named action.yml / action.yaml is parsed as an action, any other file as a workflow.
// Local reusable workflows (`uses: ./.github/workflows/x.yml`) are loaded from the current
// directory, so a caller is checked against the callee's inputs and secrets.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseAction } from "@actions/workflow-parser/actions/action-parser";
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
} from "@actions/workflow-parser";

const localFiles = {
  async getFileContent(ref) {
    if (ref.repository !== undefined) {
      throw new Error(`remote workflow ${ref.owner}/${ref.repository} cannot be read offline`);
    }
    return { name: ref.path, content: readFileSync(ref.path, "utf8") };
  },
};

async function errorsOf(file) {
  const source = { name: file, content: readFileSync(file, "utf8") };
  const trace = new NoOperationTraceWriter();
  if (/^action\.ya?ml$/.test(basename(file))) {
    const result = parseAction(source, trace);
    return result.context.errors.getErrors().map((error) => error.message);
  }
  const result = parseWorkflow(source, trace);
  if (result.value === undefined) {
    return result.context.errors.getErrors().map((error) => error.message);
  }
  // Conversion finds what the schema cannot: unknown `needs`, cycles, a caller's inputs.
  const template = await convertWorkflowTemplate(result.context, result.value, localFiles, {
    fetchReusableWorkflowDepth: 1,
  });
  return (template.errors ?? []).map((error) => error.Message);
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: parse.mjs FILE...");
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  let errors;
  try {
    errors = await errorsOf(file);
  } catch (error) {
    errors = [`cannot parse: ${error.message}`];
  }
  for (const message of errors) {
    console.log(`${file}: ${message}`);
  }
  if (errors.length > 0) {
    failed += 1;
  } else {
    console.log(`${file}: ok`);
  }
}
process.exit(failed > 0 ? 1 : 0);
