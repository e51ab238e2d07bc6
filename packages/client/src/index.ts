/**
 * steady: robust, resilient API clients on Effect 4. On Node, this is the core
 * (`@steady/client/core`) and the pooled session (`ConnectionPool`, on undici).
 *
 * @since 0.1.0
 */

export * from "./core.js"

/**
 * One pooled keep-alive session per API, as a layer.
 *
 * @since 0.1.0
 */
export * as ConnectionPool from "./ConnectionPool.js"
