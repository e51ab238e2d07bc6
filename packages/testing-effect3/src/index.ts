/**
 * Test tools for steady clients.
 *
 * @since 0.1.0
 */

/**
 * An in-memory `HttpClient` with scripted replies and recorded requests.
 *
 * @since 0.1.0
 */
export * as MockHttpClient from "./MockHttpClient.js"

/**
 * A real HTTP server on 127.0.0.1 for tests of what crosses the wire.
 *
 * @since 0.1.0
 */
export * as TestServer from "./TestServer.js"

/**
 * A loopback server that misbehaves on purpose, scripted per route.
 *
 * @since 0.1.0
 */
export * as ChaosServer from "./ChaosServer.js"

/**
 * The test kit's one vocabulary of faults, which `MockHttpClient` and `ChaosServer` both accept.
 *
 * @since 0.3.0
 */
export * as Fault from "./Fault.js"

/**
 * Record and replay: tests from real traffic, with no secret on disk.
 *
 * @since 0.3.0
 */
export * as Cassette from "./Cassette.js"
