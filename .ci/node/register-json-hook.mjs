// Preloaded with `node --import`: installs the JSON import-attribute hook before anything loads.
import { register } from "node:module";

register("./json-import-hook.mjs", import.meta.url);
