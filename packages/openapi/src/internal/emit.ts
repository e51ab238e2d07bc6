/**
 * The generated files, for the Effect line asked for: `schemas.ts` (components and error
 * classes), `api.ts` (the HttpApi), `client.ts` (the service, its layers) and `index.ts`. One
 * model (`model.ts`, its schemas in the line's Schema code) and one set of escaping and naming
 * functions (`escape.ts`, `names.ts`, `code.ts`) serve both; only the templates differ.
 *
 * @internal
 */
import * as effect3 from "./effect3.js"
import * as effect4 from "./effect4.js"
import type * as model from "./model.js"

/** @internal */
export const files = (m: model.Model, apiName: string, effect: 3 | 4): Record<string, string> =>
  effect === 3 ? effect3.files(m, apiName) : effect4.files(m, apiName)
