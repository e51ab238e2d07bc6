// `node --import tsx --import ./one-effect.mjs`: every `effect` import resolves from
// packages/client, so a process that runs the Effect 4 examples from their sources holds one
// copy of effect 4, as an application does. (npm nests a copy in each Effect 4 package, and
// two copies do not mix: a Redacted one makes, the other cannot read.) Registered after tsx,
// so it runs first. The hooks are in one-effect-hooks.mjs (they run in the loader's thread).
import { register } from "node:module"

register("./one-effect-hooks.mjs", import.meta.url)
