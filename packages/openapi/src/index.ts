/**
 * @steady/openapi: a typed, resilient steady client from an OpenAPI document.
 *
 * @since 0.2.0
 */

/**
 * Reads a spec and generates the client's files (`npx steady-openapi` runs it).
 *
 * @since 0.2.0
 */
export * as Generator from "./Generator.js"
