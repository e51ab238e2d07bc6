/**
 * steady: robust, resilient API clients on Effect 4. On Node, this is the core
 * (`core`) and the pooled session (`ConnectionPool`, on undici).
 *
 * @since 0.1.0
 */

export * from "./core.js"
